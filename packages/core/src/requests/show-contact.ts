import { decryptString } from "@consentry/crypto";
import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import { DomainError, notFound } from "../errors";

const { dsrRequests } = schema;

export type RequestContact = {
  email: string;
  phone: string | null;
  reference: string | null;
  details: string | null;
};

/** The requester's contact, for staff who answer the request; each look is audited. */
export async function showContact(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: { requestId: string },
): Promise<RequestContact> {
  const [request] = await deps.db
    .select({ contactEnc: dsrRequests.contactEnc })
    .from(dsrRequests)
    .where(and(eq(dsrRequests.id, input.requestId), eq(dsrRequests.orgId, deps.orgId)));
  if (!request) return notFound("Request");
  if (!request.contactEnc) {
    throw new DomainError(
      "conflict",
      "The contact data of this closed request was removed under the site's retention policy; only a keyed hash is kept.",
    );
  }
  const contactEnc = request.contactEnc;
  await deps.db.transaction((tx) =>
    writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "request.contact.view",
      targetType: "request",
      targetId: input.requestId,
    }),
  );
  return JSON.parse(decryptString(contactEnc, "dsr_requests.contact")) as RequestContact;
}
