import { type Database, eq, schema } from "@consentry/db";
import { DomainError } from "../errors";
import { checkStatusToken } from "./limits";
import type { StatusLink } from "./request-status";
import type { PortalServices } from "./services";

const { dsrRequests } = schema;

/**
 * The request's certificate, exactly as hashed into the audit chain: the deletion certificate of
 * an erasure, or the withdrawal certificate once a withdrawal's face data is deleted. `kind`
 * says which.
 */
export async function requestCertificate(deps: { db: Database } & Pick<PortalServices, "secret">, input: StatusLink) {
  const reference = checkStatusToken(deps, input);
  const [request] = await deps.db
    .select({ type: dsrRequests.type, certificate: dsrRequests.certificate, sha256: dsrRequests.certificateSha256 })
    .from(dsrRequests)
    .where(eq(dsrRequests.referenceCode, reference));
  if (!request?.certificate || !request.sha256) {
    throw new DomainError("notFound", "No certificate has been issued for this request yet.");
  }
  const kind = request.type === "withdrawal" ? ("withdrawal" as const) : ("deletion" as const);
  return { reference, kind, certificate: request.certificate, sha256: request.sha256 };
}
