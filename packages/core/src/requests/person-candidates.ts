import { decryptString } from "@consentry/crypto";
import { and, asc, type Database, eq, escapeLike, ilike, isNull, schema } from "@consentry/db";
import { notFound } from "../errors";
import { type ContactCheck, checkContact } from "./contact-match";
import type { RequestContact } from "./show-contact";

const { dsrRequests, subjects } = schema;

/**
 * The person picker of a request: people of the organisation whose pseudonym contains `search`,
 * each with how their stored contact compares with the email the requester verified, so staff
 * see the match before they link. The requester's address itself is not returned.
 */
export async function personCandidates(db: Database, orgId: string, input: { requestId: string; search: string }) {
  const [request] = await db
    .select({ contactEnc: dsrRequests.contactEnc })
    .from(dsrRequests)
    .where(and(eq(dsrRequests.id, input.requestId), eq(dsrRequests.orgId, orgId)));
  if (!request) return notFound("Request");
  const requester = request.contactEnc
    ? (JSON.parse(decryptString(request.contactEnc, "dsr_requests.contact")) as RequestContact)
    : null;
  const rows = await db
    .select({
      id: subjects.id,
      pseudonym: subjects.pseudonym,
      displayNameEnc: subjects.displayNameEnc,
      contactEnc: subjects.contactEnc,
    })
    .from(subjects)
    .where(
      and(
        eq(subjects.orgId, orgId),
        isNull(subjects.erasedAt),
        ilike(subjects.pseudonym, `%${escapeLike(input.search)}%`),
      ),
    )
    .orderBy(asc(subjects.pseudonym))
    .limit(10);
  return rows.map((row) => ({
    id: row.id,
    pseudonym: row.pseudonym,
    displayName: row.displayNameEnc ? decryptString(row.displayNameEnc, "subjects.display_name") : null,
    contact: (requester
      ? checkContact(row.contactEnc ? decryptString(row.contactEnc, "subjects.contact") : null, requester)
      : "none") satisfies ContactCheck,
  }));
}
