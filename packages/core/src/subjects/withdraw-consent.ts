import { type AuditActor, and, type Database, eq, isNull, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import { addToOutbox, type OutboxProducer, relayAfterCommit, templateDeletionJobId } from "../dsr/outbox";
import { DomainError, notFound } from "../errors";

const { consents, faceTemplates } = schema;

/**
 * Withdraws a consent. Its templates leave every gallery at once (galleries only hold
 * templates under an active consent); the `template-deletion` job, queued through the outbox in
 * the withdrawal's transaction, deletes its face data and issues the withdrawal certificate
 * (`deleteWithdrawnFaceData`). Both are audited.
 */
export async function withdrawConsent(
  deps: {
    db: Database;
    actor: AuditActor;
    orgId: string;
    jobs: OutboxProducer & Pick<JobProducer, "invalidate">;
  },
  input: { consentId: string; reason: string },
) {
  const withdrawn = await deps.db.transaction(async (tx) => {
    const [consent] = await tx
      .select()
      .from(consents)
      .where(and(eq(consents.id, input.consentId), eq(consents.orgId, deps.orgId)))
      .for("update");
    if (!consent) return notFound("Consent");
    if (consent.withdrawnAt) throw new DomainError("conflict", "This consent was already withdrawn.");
    const now = new Date();
    await tx
      .update(consents)
      .set({ withdrawnAt: now, withdrawalReason: input.reason })
      .where(eq(consents.id, consent.id));
    const templates = await tx
      .update(faceTemplates)
      .set({ deletionQueuedAt: now })
      .where(and(eq(faceTemplates.consentId, consent.id), isNull(faceTemplates.deletionQueuedAt)))
      .returning({ id: faceTemplates.id });
    // Every withdrawal queues the deletion of its face data (templates, enrolment photos and
    // files, the site's recognition events), which ends in the withdrawal certificate.
    const deletionJobId = templateDeletionJobId(consent.id);
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "consent.withdraw",
      targetType: "consent",
      targetId: consent.id,
      details: { reason: input.reason, templatesQueuedForDeletion: templates.length, deletionJobId },
    });
    const templateIds = templates.map((t) => t.id);
    const outboxIds = await addToOutbox(tx, [
      {
        kind: "deleteTemplates",
        payload: {
          jobId: deletionJobId,
          subjectId: consent.subjectId,
          templateIds,
          consentIds: [consent.id],
          reason: "consent_withdrawn",
        },
      },
    ]);
    return { consent, templateIds, outboxIds };
  });
  // The deletion is committed in the outbox; handing it to BullMQ now is best effort (the ops
  // worker's relay retries). `deletionQueued` says whether BullMQ already has it.
  const deletionQueued = await relayAfterCommit(deps, withdrawn.outboxIds);
  // Workers reload the site's gallery at once (it already excludes these templates).
  await deps.jobs.invalidate({ type: "gallery", siteId: withdrawn.consent.siteId }).catch(() => {});
  return { templatesQueuedForDeletion: withdrawn.templateIds.length, deletionQueued };
}
