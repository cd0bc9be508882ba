import { decryptString } from "@consentry/crypto";
import { type Executor, eq, inArray, or, schema } from "@consentry/db";
import type { Redis } from "ioredis";

const { dsrRequests, enrolments, subjects } = schema;

/** Where an erasure also looks for the person outside the tables: Redis (BullMQ jobs) and the dev mailbox. */
export type ErasureReach = {
  redis?: { client: Redis; prefix?: string };
  /** The development SMTP server's folder (`CONSENTRY_DEV_MAILBOX_DIR`), when mail goes there. */
  devMailboxDir?: string;
};

/**
 * What identifies the person in text outside the tables: the emails and phones of their portal
 * requests still holding contact data (this request's until the certificate), their own stored
 * contact while it exists, and their pseudonym. Read while the erasure runs, never stored.
 */
export async function personNeedles(db: Executor, requestId: string, subjectId: string) {
  const requests = await db
    .select({ contactEnc: dsrRequests.contactEnc })
    .from(dsrRequests)
    .where(
      or(
        eq(dsrRequests.id, requestId),
        // Other requests of the person still holding contact data.
        eq(dsrRequests.subjectId, subjectId),
      ),
    );
  const [subject] = await db
    .select({ pseudonym: subjects.pseudonym, contactEnc: subjects.contactEnc })
    .from(subjects)
    .where(eq(subjects.id, subjectId));
  const emails = new Set<string>();
  const phones = new Set<string>();
  for (const { contactEnc } of requests) {
    if (!contactEnc) continue;
    const contact = JSON.parse(decryptString(contactEnc, "dsr_requests.contact")) as {
      email?: string | null;
      phone?: string | null;
    };
    if (contact.email) emails.add(contact.email.toLowerCase());
    if (contact.phone) phones.add(contact.phone);
  }
  if (subject?.contactEnc) {
    const contact = decryptString(subject.contactEnc, "subjects.contact").trim();
    (contact.includes("@") ? emails : phones).add(contact.includes("@") ? contact.toLowerCase() : contact);
  }
  // Short strings would match by chance.
  const texts = [...emails, ...[...phones].filter((phone) => phone.length >= 6)];
  return { pseudonym: subject?.pseudonym ?? null, emails: [...emails], texts };
}

/** Which of these enrolment ids no longer have a row (their jobs then name nobody who is still there). */
export async function missingEnrolments(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const valid = ids.filter((id) => uuid.test(id));
  const present = new Set(
    valid.length
      ? (await db.select({ id: enrolments.id }).from(enrolments).where(inArray(enrolments.id, valid))).map(
          (row) => row.id,
        )
      : [],
  );
  return valid.filter((id) => !present.has(id));
}
