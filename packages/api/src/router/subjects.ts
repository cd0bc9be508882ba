import { requireSubject } from "@consentry/core";
import { createSubject, giveConsent, updateSubject, withdrawConsent } from "@consentry/core/subjects";
import { consentFields, pageInput, subjectFields, text } from "@consentry/core/validators";
import { decryptString } from "@consentry/crypto";
import { and, asc, count, desc, eq, ilike, isNull, schema, sql } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const { subjects, consents, faceTemplates, notices } = schema;
const subjectId = z.object({ subjectId: z.uuid() });
/** The person's templates from an older model that need a new photo (no kept photo to re-embed from). */
const recaptureTemplates = sql`select ${faceTemplates.siteId} as site_id from ${faceTemplates}
  where ${faceTemplates.subjectId} = ${subjects.id} and ${faceTemplates.recaptureNeededAt} is not null
  and ${faceTemplates.deletionQueuedAt} is null`;

/**
 * People known to the organisation, under pseudonyms. Names and contacts are stored encrypted
 * and shown only to operators and above, who need them to work requests and consents.
 */
export const subjectsRouter = router({
  list: orgProcedure("operator")
    .input(
      pageInput.extend({
        search: text().trim().max(40).optional(),
        /** Only people with a template marked for a new photo (after a model change, see re-enrolment). */
        recapture: z.boolean().optional(),
      }),
    )
    .query(async ({ ctx, input }) => {
      const conditions = [eq(subjects.orgId, ctx.org.id), isNull(subjects.erasedAt)];
      if (input.search) conditions.push(ilike(subjects.pseudonym, `%${input.search.replace(/[\\%_]/g, "")}%`));
      if (input.recapture) conditions.push(sql`exists (${recaptureTemplates})`);
      const where = and(...conditions);
      const [rows, [total]] = await Promise.all([
        ctx.db
          .select({
            id: subjects.id,
            pseudonym: subjects.pseudonym,
            displayNameEnc: subjects.displayNameEnc,
            isMinor: subjects.isMinor,
            activeConsents: sql<number>`(select count(*)::int from ${consents} where ${consents}.subject_id = ${subjects}.id and ${consents}.withdrawn_at is null)`,
            templates: sql<number>`(select count(*)::int from ${faceTemplates} where ${faceTemplates}.subject_id = ${subjects}.id and ${faceTemplates}.deletion_queued_at is null)`,
            recaptureSites: sql<number>`(select count(distinct site_id)::int from (${recaptureTemplates}) as marked)`,
          })
          .from(subjects)
          .where(where)
          .orderBy(asc(subjects.pseudonym))
          .limit(input.pageSize)
          .offset((input.page - 1) * input.pageSize),
        ctx.db.select({ value: count() }).from(subjects).where(where),
      ]);
      const items = rows.map(({ displayNameEnc, ...row }) => ({
        ...row,
        displayName: displayNameEnc ? decryptString(displayNameEnc, "subjects.display_name") : null,
      }));
      return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
    }),

  create: orgProcedure("manager")
    .input(subjectFields)
    .mutation(({ ctx, input }) => createSubject({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, input)),

  /** One person's record, decrypted for the staff who keep it. */
  get: orgProcedure("operator")
    .input(subjectId)
    .query(async ({ ctx, input }) => {
      const subject = await requireSubject(ctx.db, ctx.org.id, input.subjectId);
      return {
        id: subject.id,
        pseudonym: subject.pseudonym,
        displayName: subject.displayNameEnc ? decryptString(subject.displayNameEnc, "subjects.display_name") : null,
        contact: subject.contactEnc ? decryptString(subject.contactEnc, "subjects.contact") : null,
        isMinor: subject.isMinor,
        birthYear: subject.birthYear,
        createdAt: subject.createdAt,
      };
    }),

  /** Corrects the record; with `requestId`, the open correction request of this person records it too. */
  update: orgProcedure("manager")
    .input(subjectFields.extend({ subjectId: z.uuid(), requestId: z.uuid().optional() }))
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return updateSubject({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  consents: orgProcedure("operator")
    .input(subjectId)
    .query(async ({ ctx, input }) => {
      await requireSubject(ctx.db, ctx.org.id, input.subjectId);
      return ctx.db
        .select({
          id: consents.id,
          siteId: consents.siteId,
          siteName: schema.sites.name,
          purpose: consents.purpose,
          scopes: consents.scopes,
          method: consents.method,
          isSeparate: consents.isSeparate,
          isBundled: consents.isBundled,
          noticeVersion: notices.version,
          guardianRelation: consents.guardianRelation,
          guardianConsentAt: consents.guardianConsentAt,
          givenAt: consents.givenAt,
          withdrawnAt: consents.withdrawnAt,
          withdrawalReason: consents.withdrawalReason,
        })
        .from(consents)
        .innerJoin(schema.sites, eq(schema.sites.id, consents.siteId))
        .leftJoin(notices, eq(notices.id, consents.noticeId))
        .where(and(eq(consents.subjectId, input.subjectId), eq(consents.orgId, ctx.org.id)))
        .orderBy(desc(consents.givenAt));
    }),

  /** Records a consent. A child under 14 needs a parent's or guardian's consent (CN-FR-05). */
  giveConsent: orgProcedure("manager")
    .input(consentFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return giveConsent({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  /** Withdraws a consent; its templates leave every gallery and are queued for deletion. */
  withdrawConsent: orgProcedure("operator")
    .input(z.object({ consentId: z.uuid(), reason: text().trim().min(1).max(500) }))
    .mutation(({ ctx, input }) =>
      withdrawConsent({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, input),
    ),
});
