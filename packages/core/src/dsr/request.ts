import { type Executor, eq, schema } from "@consentry/db";

const { dsrRequests } = schema;

/** The request cannot be erased as it stands; retrying will not change that. */
export class ErasureRefusedError extends Error {
  override name = "ErasureRefusedError";
}

export type RequestRow = Awaited<ReturnType<typeof loadRequest>>;

export async function loadRequest(db: Executor, requestId: string) {
  const [request] = await db
    .select({
      id: dsrRequests.id,
      orgId: dsrRequests.orgId,
      siteId: dsrRequests.siteId,
      subjectId: dsrRequests.subjectId,
      type: dsrRequests.type,
      status: dsrRequests.status,
      referenceCode: dsrRequests.referenceCode,
      verifiedAt: dsrRequests.verifiedAt,
      certificate: dsrRequests.certificate,
      certificateSha256: dsrRequests.certificateSha256,
    })
    .from(dsrRequests)
    .where(eq(dsrRequests.id, requestId));
  return request;
}

/** The person an approved deletion request names; refuses any other request. */
export function erasableSubject(request: RequestRow): string {
  if (!request) throw new ErasureRefusedError("no such request");
  if (request.type !== "deletion") throw new ErasureRefusedError(`request ${request.id} is not a deletion request`);
  if (request.status !== "approved") {
    throw new ErasureRefusedError(`request ${request.id} is ${request.status}, not approved`);
  }
  if (!request.subjectId) throw new ErasureRefusedError(`request ${request.id} is not linked to a person`);
  return request.subjectId;
}
