import { requireSite } from "@consentry/core";
import { notFound } from "@consentry/core/errors";
import { recordAssessment } from "@consentry/core/records";
import { assessmentFields, filingFields, noticeFields } from "@consentry/core/validators";
import { and, asc, countDistinct, desc, eq, isNull, max, schema, sql } from "@consentry/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

const { notices, assessments, filings, faceTemplates } = schema;
const bySite = z.object({ siteId: z.uuid() });

/** PIPIA records are kept at least three years (PIPL 56; CN-FR-08). */
export const ASSESSMENT_RETENTION_YEARS = 3;
/** Face data of this many people or more must be filed (CN-FR-15). */
export const FILING_THRESHOLD = 100_000;

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
      return ctx.db.transaction(async (tx) => {
        await requireSite(tx, ctx.org.id, fields.siteId);
        // Serialises publishers of one site so two never take the same version number.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${fields.siteId}))`);
        const [latest] = await tx
          .select({ version: max(notices.version) })
          .from(notices)
          .where(eq(notices.siteId, fields.siteId));
        const version = (latest?.version ?? 0) + 1;
        const [notice] = await tx
          .insert(notices)
          .values({ ...fields, orgId: ctx.org.id, version })
          .returning({ id: notices.id, version: notices.version });
        if (!notice) throw new Error("insert returned no row");
        await audit(tx, ctx, {
          action: "notice.publish",
          targetType: "notice",
          targetId: notice.id,
          details: { ...fields, version },
        });
        return notice;
      });
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
      ctx.db.transaction(async (tx) => {
        const [assessment] = await tx
          .select()
          .from(assessments)
          .where(and(eq(assessments.id, input.assessmentId), eq(assessments.orgId, ctx.org.id)));
        if (!assessment) return notFound("Assessment");
        const keepUntil = new Date(assessment.completedAt);
        keepUntil.setFullYear(keepUntil.getFullYear() + ASSESSMENT_RETENTION_YEARS);
        if (keepUntil > new Date()) {
          throw new TRPCError({
            code: "PRECONDITION_FAILED",
            message: `CN-FR-08: an impact assessment must be kept for ${ASSESSMENT_RETENTION_YEARS} years (until ${keepUntil.toISOString().slice(0, 10)}).`,
          });
        }
        await tx.delete(assessments).where(eq(assessments.id, assessment.id));
        await audit(tx, ctx, {
          action: "assessment.delete",
          targetType: "assessment",
          targetId: assessment.id,
          details: { siteId: assessment.siteId, documentSha256: assessment.documentSha256 },
        });
        return { id: assessment.id };
      }),
    ),
});

export const filingsRouter = router({
  /** The live count of distinct people with templates against the filing threshold. */
  status: orgProcedure("auditor").query(async ({ ctx }) => {
    const [[count], history] = await Promise.all([
      ctx.db
        .select({ value: countDistinct(faceTemplates.subjectId) })
        .from(faceTemplates)
        .where(and(eq(faceTemplates.orgId, ctx.org.id), isNull(faceTemplates.deletionQueuedAt))),
      ctx.db.select().from(filings).where(eq(filings.orgId, ctx.org.id)).orderBy(asc(filings.createdAt)),
    ]);
    const subjectsWithTemplates = count?.value ?? 0;
    return {
      subjectsWithTemplates,
      threshold: FILING_THRESHOLD,
      share: subjectsWithTemplates / FILING_THRESHOLD,
      filings: history,
    };
  }),

  record: orgProcedure("owner")
    .input(filingFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return ctx.db.transaction(async (tx) => {
        const [filing] = await tx
          .insert(filings)
          .values({ ...fields, orgId: ctx.org.id })
          .returning({ id: filings.id });
        if (!filing) throw new Error("insert returned no row");
        await audit(tx, ctx, { action: "filing.record", targetType: "filing", targetId: filing.id, details: fields });
        return filing;
      });
    }),
});
