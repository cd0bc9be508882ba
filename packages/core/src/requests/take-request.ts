import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import { findOpenRequest } from "./find-open-request";

const { dsrRequests } = schema;

/** The caller takes an open request on: it is assigned to them and in progress. */
export function takeRequest(
  deps: { db: Database; actor: AuditActor; orgId: string; userId: string },
  input: { requestId: string },
) {
  return deps.db.transaction(async (tx) => {
    const request = await findOpenRequest(tx, deps.orgId, input.requestId);
    await tx
      .update(dsrRequests)
      .set({ assignedUserId: deps.userId, status: "in_progress" })
      .where(eq(dsrRequests.id, request.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "request.assign",
      targetType: "request",
      targetId: request.id,
    });
    return { id: request.id };
  });
}
