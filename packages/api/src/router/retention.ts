import { retentionPolicyFields, siteRetentionReport, updateRetentionPolicy } from "@consentry/core/retention";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

/** The policy schema is strict; the organisation comes in the same input (orgProcedure reads it). */
const policyUpdate = retentionPolicyFields.extend({ orgId: z.uuid() });

/** What a site keeps and for how long (CN-FR-07), and what the retention job deleted there. */
export const retentionRouter = router({
  /** The site's Retention panel. Counts only: no run report names what it deleted. */
  site: orgProcedure("auditor")
    .input(z.object({ siteId: z.uuid() }))
    .query(({ ctx, input }) => siteRetentionReport(ctx.db, { orgId: ctx.org.id, siteId: input.siteId })),

  /** Owners only: a shorter period makes the next hourly run delete what is now past it. */
  update: orgProcedure("owner")
    .input(policyUpdate)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return updateRetentionPolicy({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),
});
