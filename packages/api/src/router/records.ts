import { requireSite } from "@consentry/core";
import {
  assessmentDocument,
  confirmNotice,
  deleteAssessment,
  documentBytes,
  documentName,
  filingStatus,
  listAssessments,
  publishNotice,
  recordAssessment,
  recordFiling,
  uploadAssessment,
} from "@consentry/core/records";
import { assessmentFields, filingFields, noticeFields } from "@consentry/core/validators";
import { desc, eq, schema } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

export { ASSESSMENT_RETENTION_YEARS, FILING_THRESHOLD } from "@consentry/core/records";

const { notices } = schema;
const bySite = z.object({ siteId: z.uuid() });
const assessmentId = z.object({ assessmentId: z.uuid() });

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

  /**
   * Records the notice version the person confirmed on a consent recorded without one (CN-FR-03);
   * the consent and its templates stay.
   */
  confirm: orgProcedure("manager")
    .input(z.object({ consentId: z.uuid(), noticeId: z.uuid() }))
    .mutation(({ ctx, input }) => confirmNotice({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, input)),
});

export const assessmentsRouter = router({
  /** Newest first, each with whether its document was uploaded (the store's path stays inside). */
  list: orgProcedure("auditor")
    .input(bySite)
    .query(({ ctx, input }) => listAssessments({ db: ctx.db, orgId: ctx.org.id }, input)),

  /** Records an assessment by its document's hash alone (API clients; the site page uploads the file). */
  create: orgProcedure("manager")
    .input(assessmentFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return recordAssessment({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  /**
   * Records an assessment with its document (PDF, DOCX or ODT, known by its bytes), stored under
   * its content hash; the SHA-256 on record is computed here from the bytes. The site page sends
   * the file through POST /api/assessments.
   */
  upload: orgProcedure("manager")
    .input(assessmentFields.omit({ documentSha256: true }).extend({ document: documentBytes, documentName }))
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return uploadAssessment({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, storage: ctx.storage }, fields);
    }),

  /** Where the document is, for the route that serves it to members. */
  document: orgProcedure("auditor")
    .input(assessmentId)
    .query(({ ctx, input }) => assessmentDocument({ db: ctx.db, orgId: ctx.org.id }, input)),

  /** Refused while the assessment is younger than three years (CN-FR-08). */
  delete: orgProcedure("owner")
    .input(assessmentId)
    .mutation(({ ctx, input }) =>
      deleteAssessment(
        { db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, storage: ctx.storage },
        { assessmentId: input.assessmentId },
      ),
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
