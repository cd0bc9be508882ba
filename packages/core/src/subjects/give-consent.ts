import { encryptString } from "@consentry/crypto";
import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import { fieldError } from "../errors";
import { requireSite, requireSubject } from "../lookups";
import type { consentFields } from "../validators";

const { consents, notices } = schema;

export type ConsentInput = z.infer<typeof consentFields>;

/** Records a consent. A child under 14 needs a parent's or guardian's consent (CN-FR-05). */
export function giveConsent(deps: { db: Database; actor: AuditActor; orgId: string }, input: ConsentInput) {
  const { guardianName, ...fields } = input;
  return deps.db.transaction(async (tx) => {
    const subject = await requireSubject(tx, deps.orgId, fields.subjectId);
    await requireSite(tx, deps.orgId, fields.siteId);
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
        orgId: deps.orgId,
        guardianNameEnc: guardianName ? encryptString(guardianName, "consents.guardian_name") : null,
        guardianConsentAt: guardianName ? fields.givenAt : null,
      })
      .returning({ id: consents.id });
    if (!consent) throw new Error("insert returned no row");
    // The guardian's name stays out of the audit log: only that one was recorded.
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "consent.give",
      targetType: "consent",
      targetId: consent.id,
      details: { ...fields, subject: subject.pseudonym, guardian: guardianName ? "recorded" : null },
    });
    return consent;
  });
}
