import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import { findOpenRequest } from "./find-open-request";

const { dsrRequests } = schema;

/** Refuses the request; the requester sees the reason on their status page (CN-PI-06). */
export function refuseRequest(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: { requestId: string; reason: string },
) {
  return deps.db.transaction(async (tx) => {
    const request = await findOpenRequest(tx, deps.orgId, input.requestId);
    await tx
      .update(dsrRequests)
      .set({ status: "refused", refusalReason: input.reason, closedAt: new Date() })
      .where(eq(dsrRequests.id, request.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "request.refuse",
      targetType: "request",
      targetId: request.id,
      details: { reason: input.reason },
    });
    return { id: request.id };
  });
}
