import { and, type Executor, eq, ne, schema } from "@consentry/db";
import { DomainError, notFound } from "../errors";

const { dsrRequests } = schema;

/** A verified request of the organisation that is still unanswered, locked for the answer. */
export async function findOpenRequest(db: Executor, orgId: string, id: string) {
  const [request] = await db
    .select()
    .from(dsrRequests)
    .where(and(eq(dsrRequests.id, id), eq(dsrRequests.orgId, orgId), ne(dsrRequests.status, "pending_verification")))
    .for("update");
  if (!request) return notFound("Request");
  if (request.closedAt || request.status === "approved") {
    throw new DomainError("conflict", "This request has already been answered.");
  }
  return request;
}
