import { type AuditActor, and, type Database, eq, isNull, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import { addToOutbox, type OutboxProducer, relayAfterCommit } from "../dsr/outbox";
import { DomainError } from "../errors";
import { findOpenRequest } from "./find-open-request";

const { dsrRequests, consents, faceTemplates } = schema;

/**
 * Grants the request. Deletion queues the erasure job (it completes the request and issues the
 * certificate); withdrawal ends the person's consents at the site and queues the deletion of
 * their face data there, which puts the withdrawal certificate on the request; access and correction are answered and closed. Jobs go through the outbox in the
 * approval's own transaction, so an approval never exists without its job, Redis up or down.
 */
export async function approveRequest(
  deps: {
    db: Database;
    actor: AuditActor;
    orgId: string;
    jobs: OutboxProducer & Pick<JobProducer, "invalidate" | "notify">;
  },
  input: { requestId: string },
) {
  const { request, outboxIds } = await deps.db.transaction(async (tx) => {
    const request = await findOpenRequest(tx, deps.orgId, input.requestId);
    if (!request.subjectId && (request.type === "deletion" || request.type === "withdrawal")) {
      throw new DomainError("precondition", "Link the request to the person (their pseudonym) before approving it.");
    }
    const now = new Date();
    let templateIds: string[] = [];
    let consentIds: string[] = [];
    if (request.type === "withdrawal" && request.subjectId) {
      const withdrawn = await tx
        .update(consents)
        .set({ withdrawnAt: now, withdrawalReason: `Request ${request.referenceCode}` })
        .where(
          and(
            eq(consents.subjectId, request.subjectId),
            eq(consents.siteId, request.siteId),
            isNull(consents.withdrawnAt),
          ),
        )
        .returning({ id: consents.id });
      consentIds = withdrawn.map((consent) => consent.id);
      templateIds = withdrawn.length
        ? (
            await tx
              .update(faceTemplates)
              .set({ deletionQueuedAt: now })
              .where(
                and(
                  eq(faceTemplates.subjectId, request.subjectId),
                  eq(faceTemplates.siteId, request.siteId),
                  isNull(faceTemplates.deletionQueuedAt),
                ),
              )
              .returning({ id: faceTemplates.id })
          ).map((t) => t.id)
        : [];
    }
    const closes = request.type !== "deletion";
    await tx
      .update(dsrRequests)
      .set({ status: closes ? "completed" : "approved", closedAt: closes ? now : null })
      .where(eq(dsrRequests.id, request.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "request.approve",
      targetType: "request",
      targetId: request.id,
      details: {
        type: request.type,
        consentsWithdrawn: consentIds.length,
        templatesQueuedForDeletion: templateIds.length,
      },
    });
    const outboxIds = await addToOutbox(tx, [
      ...(request.type === "deletion" ? [{ kind: "erase" as const, payload: { requestId: request.id } }] : []),
      // The job deletes the face data under the withdrawn consents and puts the withdrawal
      // certificate on them and on this request (the requester downloads it from the status page).
      ...(request.subjectId && (consentIds.length > 0 || templateIds.length > 0)
        ? [
            {
              kind: "deleteTemplates" as const,
              payload: {
                jobId: `template-deletion-request-${request.id}`,
                subjectId: request.subjectId,
                templateIds,
                ...(consentIds.length > 0 ? { consentIds, requestId: request.id } : {}),
                reason: "consent_withdrawn" as const,
              },
            },
          ]
        : []),
    ]);
    return { request, outboxIds };
  });
  // Best effort, after commit so a worker never acts on an approval that rolled back: with Redis
  // away the rows stay pending and the ops worker's relay hands them over later.
  await relayAfterCommit(deps, outboxIds);
  if (request.type === "withdrawal") {
    await deps.jobs.invalidate({ type: "gallery", siteId: request.siteId }).catch(() => {});
  }
  // The requester hears of it by mail (the job reads their address); best effort, like the relay.
  // A deletion's requester is mailed by the erasure itself once the certificate exists: no job in
  // Redis may name the request after its erasure.
  if (request.type !== "deletion") {
    await deps.jobs.notify?.({ type: "subjectMail", requestId: request.id, mail: "approved" }).catch(() => {});
  }
  return { id: request.id, status: request.type === "deletion" ? "approved" : "completed" };
}
