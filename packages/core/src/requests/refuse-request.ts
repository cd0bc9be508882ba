import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import { findOpenRequest } from "./find-open-request";

const { dsrRequests } = schema;

/**
 * Refuses the request; the requester sees the reason on their status page (CN-PI-06) and, once
 * it has committed, gets it by mail: a job that reads their address, queued here best effort and
 * by the ops worker's relay within a minute if this add was lost (or `jobs` not given).
 */
export async function refuseRequest(
  deps: { db: Database; actor: AuditActor; orgId: string; jobs?: Pick<JobProducer, "notify"> },
  input: { requestId: string; reason: string },
) {
  const refused = await deps.db.transaction(async (tx) => {
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
  await deps.jobs?.notify?.({ type: "subjectMail", requestId: refused.id, mail: "refused" }).catch(() => {});
  return refused;
}
