import { type AuditActor, and, type Database, eq, isNull, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import { DomainError } from "../errors";
import { findOpenRequest } from "./find-open-request";

const { dsrRequests, consents, faceTemplates } = schema;

/**
 * Grants the request. Deletion queues the erasure job (it completes the request and issues the
 * certificate); withdrawal ends the person's consents at the site and queues their templates'
 * deletion; access and correction are answered and closed.
 */
export async function approveRequest(
  deps: {
    db: Database;
    actor: AuditActor;
    orgId: string;
    jobs: Pick<JobProducer, "erase" | "deleteTemplates" | "invalidate">;
  },
  input: { requestId: string },
) {
  const { request, templateIds } = await deps.db.transaction(async (tx) => {
    const request = await findOpenRequest(tx, deps.orgId, input.requestId);
    if (!request.subjectId && (request.type === "deletion" || request.type === "withdrawal")) {
      throw new DomainError("precondition", "Link the request to the person (their pseudonym) before approving it.");
    }
    const now = new Date();
    let templateIds: string[] = [];
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
      details: { type: request.type, templatesQueuedForDeletion: templateIds.length },
    });
    return { request, templateIds };
  });
  // After commit, so a worker never acts on an approval that rolled back.
  if (request.type === "deletion") await deps.jobs.erase(request.id);
  if (request.type === "withdrawal" && request.subjectId) {
    if (templateIds.length > 0) {
      await deps.jobs.deleteTemplates({
        jobId: `template-deletion-request-${request.id}`,
        subjectId: request.subjectId,
        templateIds,
        reason: "consent_withdrawn",
      });
    }
    await deps.jobs.invalidate({ type: "gallery", siteId: request.siteId }).catch(() => {});
  }
  return { id: request.id, status: request.type === "deletion" ? "approved" : "completed" };
}
