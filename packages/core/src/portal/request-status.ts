import { type Database, eq, schema } from "@consentry/db";
import { DomainError } from "../errors";
import { checkStatusToken } from "./limits";
import type { PortalServices } from "./services";

const { dsrRequests, sites } = schema;

export type StatusLink = { reference: string; token: string };

/** The requester's status page, reached with the link given after verification. */
export async function requestStatus(deps: { db: Database } & Pick<PortalServices, "secret">, input: StatusLink) {
  const reference = checkStatusToken(deps, input);
  const [request] = await deps.db
    .select({
      reference: dsrRequests.referenceCode,
      type: dsrRequests.type,
      status: dsrRequests.status,
      siteName: sites.name,
      submittedAt: dsrRequests.submittedAt,
      verifiedAt: dsrRequests.verifiedAt,
      dueAt: dsrRequests.dueAt,
      closedAt: dsrRequests.closedAt,
      refusalReason: dsrRequests.refusalReason,
      outcome: dsrRequests.outcome,
      certificateSha256: dsrRequests.certificateSha256,
    })
    .from(dsrRequests)
    .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
    .where(eq(dsrRequests.referenceCode, reference));
  if (!request) throw new DomainError("notFound", "No request with this reference and link.");
  return request;
}
