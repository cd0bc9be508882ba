import { requireSite, requireSubject } from "@consentry/core";
import { fieldError, notFound } from "@consentry/core/errors";
import { consentFields, pageInput, subjectFields } from "@consentry/core/validators";
import { decryptString, encryptString } from "@consentry/crypto";
import { and, asc, count, desc, eq, ilike, isNull, newSiteCode, schema, sql } from "@consentry/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

const { subjects, consents, faceTemplates, notices } = schema;
const subjectId = z.object({ subjectId: z.uuid() });

/**
 * People known to the organisation, under pseudonyms. Names and contacts are stored encrypted
 * and shown only to operators and above, who need them to work requests and consents.
 */
export const subjectsRouter = router({
  list: orgProcedure("operator")
    .input(pageInput.extend({ search: z.string().trim().max(40).optional() }))
    .query(async ({ ctx, input }) => {
      const conditions = [eq(subjects.orgId, ctx.org.id), isNull(subjects.erasedAt)];
      if (input.search) conditions.push(ilike(subjects.pseudonym, `%${input.search.replace(/[\\%_]/g, "")}%`));
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
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const [subject] = await tx
          .insert(subjects)
          .values({
            orgId: ctx.org.id,
            pseudonym: `P-${newSiteCode().slice(2)}`,
            displayNameEnc: encryptString(input.displayName, "subjects.display_name"),
            contactEnc: input.contact ? encryptString(input.contact, "subjects.contact") : null,
            isMinor: input.isMinor,
            birthYear: input.birthYear,
          })
          .returning({ id: subjects.id, pseudonym: subjects.pseudonym });
        if (!subject) throw new Error("insert returned no row");
        // The audit log names the pseudonym only: it must not become a second copy of personal data.
        await audit(tx, ctx, {
          action: "subject.create",
          targetType: "subject",
          targetId: subject.id,
          details: { pseudonym: subject.pseudonym, isMinor: input.isMinor },
        });
        return subject;
      }),
    ),

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
      const { orgId: _orgId, guardianName, ...fields } = input;
      return ctx.db.transaction(async (tx) => {
        const subject = await requireSubject(tx, ctx.org.id, fields.subjectId);
        await requireSite(tx, ctx.org.id, fields.siteId);
        if (subject.isMinor && (!guardianName || !fields.guardianRelation)) {
          throw fieldError(
            "refused",
            "guardianName",
            "ruleGuardianConsent",
            "CN-FR-05: a child under 14 needs the consent of a parent or guardian; record who consented.",
          );
        }
        if (fields.noticeId) {
          const [notice] = await tx
            .select({ id: notices.id })
            .from(notices)
            .where(and(eq(notices.id, fields.noticeId), eq(notices.siteId, fields.siteId)));
          if (!notice) throw fieldError("invalid", "noticeId", "notAtSite", "That notice is not this site's.");
        }
        const [consent] = await tx
          .insert(consents)
          .values({
            ...fields,
            orgId: ctx.org.id,
            guardianNameEnc: guardianName ? encryptString(guardianName, "consents.guardian_name") : null,
            guardianConsentAt: guardianName ? fields.givenAt : null,
          })
          .returning({ id: consents.id });
        if (!consent) throw new Error("insert returned no row");
        await audit(tx, ctx, {
          action: "consent.give",
          targetType: "consent",
          targetId: consent.id,
          details: { ...fields, subject: subject.pseudonym, guardian: guardianName ? "recorded" : null },
        });
        return consent;
      });
    }),

  /**
   * Withdraws a consent. Its templates leave every gallery at once (galleries only hold
   * templates under an active consent) and are queued for deletion; both are audited.
   */
  withdrawConsent: orgProcedure("operator")
    .input(z.object({ consentId: z.uuid(), reason: z.string().trim().min(1).max(500) }))
    .mutation(async ({ ctx, input }) => {
      const withdrawn = await ctx.db.transaction(async (tx) => {
        const [consent] = await tx
          .select()
          .from(consents)
          .where(and(eq(consents.id, input.consentId), eq(consents.orgId, ctx.org.id)))
          .for("update");
        if (!consent) return notFound("Consent");
        if (consent.withdrawnAt) {
          throw new TRPCError({ code: "CONFLICT", message: "This consent was already withdrawn." });
        }
        const now = new Date();
        await tx
          .update(consents)
          .set({ withdrawnAt: now, withdrawalReason: input.reason })
          .where(eq(consents.id, consent.id));
        const templates = await tx
          .update(faceTemplates)
          .set({ deletionQueuedAt: now })
          .where(and(eq(faceTemplates.consentId, consent.id), isNull(faceTemplates.deletionQueuedAt)))
          .returning({ id: faceTemplates.id });
        const deletionJobId = templates.length > 0 ? `template-deletion-${consent.id}` : null;
        await audit(tx, ctx, {
          action: "consent.withdraw",
          targetType: "consent",
          targetId: consent.id,
          details: { reason: input.reason, templatesQueuedForDeletion: templates.length, deletionJobId },
        });
        return { consent, templateIds: templates.map((t) => t.id), deletionJobId };
      });
      // Queued after commit, so a worker never acts on a withdrawal that rolled back. The
      // templates are already out of every gallery; a failed enqueue is reported, not hidden.
      let deletionQueued = withdrawn.deletionJobId === null;
      if (withdrawn.deletionJobId) {
        deletionQueued = await ctx.jobs
          .deleteTemplates({
            jobId: withdrawn.deletionJobId,
            subjectId: withdrawn.consent.subjectId,
            templateIds: withdrawn.templateIds,
            reason: "consent_withdrawn",
          })
          .then(
            () => true,
            () => false,
          );
      }
      // Workers reload the site's gallery at once (it already excludes these templates).
      await ctx.jobs.invalidate({ type: "gallery", siteId: withdrawn.consent.siteId }).catch(() => {});
      return { templatesQueuedForDeletion: withdrawn.templateIds.length, deletionQueued };
    }),
});
