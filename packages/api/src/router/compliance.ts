import { complianceOverview, siteCompliance } from "@consentry/core/compliance";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

/** Is face recognition lawful here today: findings, coverage and scores from the rules engine. */
export const complianceRouter = router({
  /** Every site's score and coverage, worst first, and the organisation's filing status. */
  overview: orgProcedure("auditor").query(({ ctx }) => complianceOverview({ db: ctx.db, orgId: ctx.org.id })),

  /** One site: findings grouped by rule, coverage, score, and coverage over time from snapshots. */
  site: orgProcedure("auditor")
    .input(z.object({ siteId: z.uuid(), days: z.int().min(1).max(365).default(90) }))
    .query(({ ctx, input }) => siteCompliance({ db: ctx.db, orgId: ctx.org.id }, input)),
});
