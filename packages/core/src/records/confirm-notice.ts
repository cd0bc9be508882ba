import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import { DomainError, fieldError, notFound } from "../errors";

const { consents, notices, subjects } = schema;

/**
 * Records which notice version the person confirmed, on a consent recorded without one
 * (CN-FR-03): the notice must be of the consent's site. The consent itself, and any template made
 * under it, stay as they are; the audit entry keeps when the person confirmed.
 */
export function confirmNotice(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: { consentId: string; noticeId: string },
) {
  return deps.db.transaction(async (tx) => {
    const [consent] = await tx
      .select()
      .from(consents)
      .where(and(eq(consents.id, input.consentId), eq(consents.orgId, deps.orgId)))
      .for("update");
    if (!consent) return notFound("Consent");
    if (consent.withdrawnAt) throw new DomainError("conflict", "This consent was withdrawn.");
    if (consent.noticeId) throw new DomainError("conflict", "This consent already records the notice version shown.");
    const [notice] = await tx
      .select({ id: notices.id, version: notices.version })
      .from(notices)
      .where(and(eq(notices.id, input.noticeId), eq(notices.siteId, consent.siteId), eq(notices.orgId, deps.orgId)));
    if (!notice) throw fieldError("invalid", "noticeId", "notAtSite", "That notice is not of the consent's site.");
    await tx.update(consents).set({ noticeId: notice.id }).where(eq(consents.id, consent.id));
    const [subject] = await tx
      .select({ pseudonym: subjects.pseudonym })
      .from(subjects)
      .where(eq(subjects.id, consent.subjectId));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "consent.notice_confirmed",
      targetType: "consent",
      targetId: consent.id,
      details: { noticeId: notice.id, version: notice.version, siteId: consent.siteId, subject: subject?.pseudonym },
    });
    return { id: consent.id, noticeId: notice.id, version: notice.version };
  });
}
