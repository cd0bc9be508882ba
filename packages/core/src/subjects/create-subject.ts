import { encryptString } from "@consentry/crypto";
import { type AuditActor, type Database, newSiteCode, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import type { subjectFields } from "../validators";

const { subjects } = schema;

export type SubjectInput = z.infer<typeof subjectFields>;

/** Adds a person under a fresh pseudonym; the name and contact are stored encrypted. */
export function createSubject(deps: { db: Database; actor: AuditActor; orgId: string }, input: SubjectInput) {
  return deps.db.transaction(async (tx) => {
    const [subject] = await tx
      .insert(subjects)
      .values({
        orgId: deps.orgId,
        pseudonym: `P-${newSiteCode().slice(2)}`,
        displayNameEnc: encryptString(input.displayName, "subjects.display_name"),
        contactEnc: input.contact ? encryptString(input.contact, "subjects.contact") : null,
        isMinor: input.isMinor,
        birthYear: input.birthYear,
      })
      .returning({ id: subjects.id, pseudonym: subjects.pseudonym });
    if (!subject) throw new Error("insert returned no row");
    // The audit log names the pseudonym only: it must not become a second copy of personal data.
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "subject.create",
      targetType: "subject",
      targetId: subject.id,
      details: { pseudonym: subject.pseudonym, isMinor: input.isMinor },
    });
    return subject;
  });
}
