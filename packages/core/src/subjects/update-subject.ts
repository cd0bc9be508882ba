import { decryptString, encryptString } from "@consentry/crypto";
import { type AuditActor, and, type Database, eq, isNull, schema, writeAudit } from "@consentry/db";
import { requireSubject } from "../lookups";
import type { SubjectInput } from "./create-subject";

const { dsrRequests, subjects } = schema;

/**
 * Corrects a person's record: on a correction request (PIPL art. 46), or when staff fix a typo.
 * The audit entries name the fields changed, never their old or new values; given the open
 * correction request of this person, its history records the correction too.
 */
export function updateSubject(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: SubjectInput & { subjectId: string; requestId?: string },
) {
  return deps.db.transaction(async (tx) => {
    const subject = await requireSubject(tx, deps.orgId, input.subjectId);
    const before: SubjectInput = {
      displayName: subject.displayNameEnc ? decryptString(subject.displayNameEnc, "subjects.display_name") : "",
      contact: subject.contactEnc ? decryptString(subject.contactEnc, "subjects.contact") : null,
      isMinor: subject.isMinor,
      birthYear: subject.birthYear,
    };
    const changed = (Object.keys(before) as (keyof SubjectInput)[]).filter((field) => before[field] !== input[field]);
    if (changed.length === 0) return { id: subject.id, changed };
    await tx
      .update(subjects)
      .set({
        displayNameEnc: encryptString(input.displayName, "subjects.display_name"),
        contactEnc: input.contact ? encryptString(input.contact, "subjects.contact") : null,
        isMinor: input.isMinor,
        birthYear: input.birthYear,
      })
      .where(eq(subjects.id, subject.id));
    const request = input.requestId
      ? (
          await tx
            .select({ id: dsrRequests.id, referenceCode: dsrRequests.referenceCode })
            .from(dsrRequests)
            .where(
              and(
                eq(dsrRequests.id, input.requestId),
                eq(dsrRequests.orgId, deps.orgId),
                eq(dsrRequests.subjectId, subject.id),
                eq(dsrRequests.type, "correction"),
                isNull(dsrRequests.closedAt),
              ),
            )
        )[0]
      : undefined;
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "subject.update",
      targetType: "subject",
      targetId: subject.id,
      details: {
        pseudonym: subject.pseudonym,
        fields: changed,
        ...(request ? { request: request.referenceCode } : {}),
      },
    });
    if (request) {
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: deps.orgId,
        action: "request.correction",
        targetType: "request",
        targetId: request.id,
        details: { pseudonym: subject.pseudonym, fields: changed },
      });
    }
    return { id: subject.id, changed };
  });
}
