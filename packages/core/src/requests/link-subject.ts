import { decryptString } from "@consentry/crypto";
import { type AuditActor, and, type Database, eq, isNull, schema, writeAudit } from "@consentry/db";
import { DomainError, fieldError, notFound } from "../errors";
import { checkContact } from "./contact-match";
import { findOpenRequest } from "./find-open-request";
import type { RequestContact } from "./show-contact";

const { dsrRequests, subjects } = schema;

/**
 * Names the person the request is about, by the pseudonym the site gave them. A verified
 * requester reaches only their own person: the person's stored contact must be the email the
 * requester verified, unless staff checked the identity another way and say why (audited).
 */
export function linkSubject(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: { requestId: string; pseudonym: string; overrideReason?: string },
) {
  return deps.db.transaction(async (tx) => {
    const request = await findOpenRequest(tx, deps.orgId, input.requestId);
    const [subject] = await tx
      .select({ id: subjects.id, contactEnc: subjects.contactEnc })
      .from(subjects)
      .where(and(eq(subjects.orgId, deps.orgId), eq(subjects.pseudonym, input.pseudonym), isNull(subjects.erasedAt)));
    if (!subject) return notFound("Subject", `Nobody with the pseudonym ${input.pseudonym}.`);

    // Open requests keep their contact; only closed ones are pseudonymised.
    if (!request.contactEnc) throw new DomainError("conflict", "This request's contact data has been removed.");
    const requester = JSON.parse(decryptString(request.contactEnc, "dsr_requests.contact")) as RequestContact;
    const stored = subject.contactEnc ? decryptString(subject.contactEnc, "subjects.contact") : null;
    const contact = checkContact(stored, requester);
    const overrideReason = contact === "match" ? null : (input.overrideReason ?? null);
    if (contact !== "match" && !overrideReason) {
      throw contact === "none"
        ? fieldError(
            "precondition",
            "pseudonym",
            "linkNoContact",
            "This person has no stored contact to compare with the requester's verified email. Check their identity another way and give a reason to link anyway.",
          )
        : fieldError(
            "precondition",
            "pseudonym",
            "linkContactMismatch",
            "This person's stored contact is not the email the requester verified. Check their identity another way and give a reason to link anyway.",
          );
    }

    await tx
      .update(dsrRequests)
      .set({
        subjectId: subject.id,
        linkedBy: deps.actor.userId,
        linkedAt: new Date(),
        linkOverrideReason: overrideReason,
      })
      .where(eq(dsrRequests.id, request.id));
    // Names the check's outcome, never either contact: the audit log holds no personal data.
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "request.link_subject",
      targetType: "request",
      targetId: request.id,
      details: { pseudonym: input.pseudonym, contact, ...(overrideReason ? { overrideReason } : {}) },
    });
    return { id: request.id, contact, overridden: overrideReason !== null };
  });
}
