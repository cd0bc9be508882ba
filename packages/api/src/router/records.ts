import { requireSite } from "@consentry/core";
import { deleteAssessment, filingStatus, publishNotice, recordAssessment, recordFiling } from "@consentry/core/records";
import { assessmentFields, filingFields, noticeFields } from "@consentry/core/validators";
import { desc, eq, schema } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

export { ASSESSMENT_RETENTION_YEARS, FILING_THRESHOLD } from "@consentry/core/records";

const { notices, assessments } = schema;
const bySite = z.object({ siteId: z.uuid() });

export const noticesRouter = router({
  list: orgProcedure("auditor")
    .input(bySite)
    .query(async ({ ctx, input }) => {
      await requireSite(ctx.db, ctx.org.id, input.siteId);
      return ctx.db.select().from(notices).where(eq(notices.siteId, input.siteId)).orderBy(desc(notices.version));
    }),

  /** Publishes the next version; earlier versions stay, since consents point at what people saw. */
  publish: orgProcedure("manager")
    .input(noticeFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return publishNotice({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),
});

export const assessmentsRouter = router({
  list: orgProcedure("auditor")
    .input(bySite)
    .query(async ({ ctx, input }) => {
      await requireSite(ctx.db, ctx.org.id, input.siteId);
      return ctx.db
        .select()
        .from(assessments)
        .where(eq(assessments.siteId, input.siteId))
        .orderBy(desc(assessments.completedAt));
    }),

  create: orgProcedure("manager")
    .input(assessmentFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return recordAssessment({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  /** Refused while the assessment is younger than three years (CN-FR-08). */
  delete: orgProcedure("owner")
    .input(z.object({ assessmentId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      deleteAssessment({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, { assessmentId: input.assessmentId }),
    ),
});

export const filingsRouter = router({
  /** The live count of distinct people with templates against the filing threshold. */
  status: orgProcedure("auditor").query(({ ctx }) => filingStatus({ db: ctx.db, orgId: ctx.org.id })),

  record: orgProcedure("owner")
    .input(filingFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return recordFiling({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),
});
