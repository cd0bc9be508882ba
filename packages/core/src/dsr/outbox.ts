import { and, asc, type Database, type Executor, eq, inArray, isNotNull, isNull, lt, schema, sql } from "@consentry/db";
import { JOBS, JobPayloadError, type JobProducer } from "@consentry/queue";
import type { z } from "zod";

const { consents, dsrRequests, enrolmentPhotos, enrolments, faceTemplates, jobOutbox } = schema;
type OutboxKind = (typeof jobOutbox.$inferSelect)["kind"];

/** A job that must happen once its change commits; payloads carry ids only. */
export type OutboxJob =
  | { kind: "erase"; payload: z.input<typeof JOBS.erasure.schema> }
  | { kind: "deleteTemplates"; payload: z.input<typeof JOBS.templateDeletion.schema> }
  | { kind: "enrol"; payload: z.input<typeof JOBS.enrolment.schema> };

/** What the relay hands jobs to: the web app's producer, or the ops worker's own. */
export type OutboxProducer = Pick<JobProducer, "erase" | "deleteTemplates" | "enrol">;

const DEFINITIONS = {
  erase: JOBS.erasure,
  deleteTemplates: JOBS.templateDeletion,
  enrol: JOBS.enrolment,
} as const satisfies Record<OutboxKind, unknown>;

/** The row for a job: payload checked now, so a job that could never be added fails the change itself. */
function outboxRow(job: OutboxJob) {
  const definition = DEFINITIONS[job.kind];
  const payload = definition.parse(job.payload) as Record<string, unknown>;
  const jobId = (definition.jobId as (data: unknown) => string)(payload);
  return { kind: job.kind, payload, jobId };
}

/**
 * Writes jobs into the outbox inside the caller's transaction: they exist exactly when the change
 * does. A job already pending under the same id is not written twice. Returns the new rows' ids.
 */
export async function addToOutbox(tx: Executor, jobs: readonly OutboxJob[]): Promise<string[]> {
  if (jobs.length === 0) return [];
  const rows = await tx
    .insert(jobOutbox)
    .values(jobs.map(outboxRow))
    .onConflictDoNothing()
    .returning({ id: jobOutbox.id });
  return rows.map((row) => row.id);
}

async function enqueue(jobs: OutboxProducer, row: typeof jobOutbox.$inferSelect) {
  switch (row.kind) {
    case "erase":
      return jobs.erase(JOBS.erasure.parse(row.payload).requestId);
    case "deleteTemplates":
      return jobs.deleteTemplates(JOBS.templateDeletion.parse(row.payload));
    case "enrol":
      return jobs.enrol(JOBS.enrolment.parse(row.payload).enrolmentId);
  }
}

/** Redis and BullMQ errors name connections and keys, never payloads; kept short anyway. */
const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/**
 * Hands pending outbox rows to BullMQ and marks them enqueued. Job ids are deterministic, so a
 * row enqueued twice (two relays, a crash before the mark) is one job. A row whose add fails
 * stays pending with its error and is tried again on the next run; the run stops there. Rows being relayed elsewhere
 * are skipped (`skip locked`). `ids` limits the run to rows just written (the attempt after commit).
 */
export async function relayOutbox(
  deps: { db: Database; jobs: OutboxProducer },
  options: { ids?: readonly string[]; limit?: number } = {},
): Promise<{ enqueued: number; failed: number }> {
  if (options.ids && options.ids.length === 0) return { enqueued: 0, failed: 0 };
  return deps.db.transaction(async (tx) => {
    const pending = await tx
      .select()
      .from(jobOutbox)
      .where(and(isNull(jobOutbox.enqueuedAt), options.ids ? inArray(jobOutbox.id, [...options.ids]) : undefined))
      .orderBy(asc(jobOutbox.createdAt))
      .limit(options.limit ?? 100)
      .for("update", { skipLocked: true });
    let enqueued = 0;
    let failed = 0;
    for (const row of pending) {
      try {
        await enqueue(deps.jobs, row);
        await tx
          .update(jobOutbox)
          .set({ enqueuedAt: new Date(), attempts: sql`${jobOutbox.attempts} + 1`, lastError: null })
          .where(eq(jobOutbox.id, row.id));
        enqueued++;
      } catch (error) {
        await tx
          .update(jobOutbox)
          .set({ attempts: sql`${jobOutbox.attempts} + 1`, lastError: errorText(error) })
          .where(eq(jobOutbox.id, row.id));
        failed++;
        // Redis is away: the rows after it would only wait out the same timeout. A payload the
        // job refuses (impossible unless its schema changed) stays pending, visible to operators.
        if (!(error instanceof JobPayloadError)) break;
      }
    }
    return { enqueued, failed };
  });
}

/** The relay's attempt right after a commit: never fails the request (the ops worker's relay retries). */
export async function relayAfterCommit(deps: { db: Database; jobs: OutboxProducer }, ids: readonly string[]) {
  return relayOutbox(deps, { ids }).then(
    (result) => result.failed === 0,
    () => false,
  );
}

/** Template deletions and enrolments waiting longer than this without their job are re-queued. */
export const RECONCILE_AFTER_MS = 10 * 60_000;

/**
 * Finds work whose job vanished (a Redis that lost its data, a job removed by hand) and queues it
 * again through the outbox: approved deletion requests (not completed, so no certificate) without
 * a job, templates of withdrawn consents still waiting for deletion and withdrawn consents whose
 * enrolment photos are still there (no certificate yet) without a job, and enrolments
 * still queued or processing without a job. A job that exists in any state, or a pending outbox
 * row, is left alone.
 */
export async function reconcileJobs(deps: {
  db: Database;
  /** Whether BullMQ holds the job of this kind under this id (waiting, active, delayed, completed or failed). */
  jobExists: (kind: OutboxKind, jobId: string) => Promise<boolean>;
  now?: Date;
}): Promise<{ erasures: number; templateDeletions: number; enrolments: number }> {
  const now = deps.now ?? new Date();
  const waitedLongEnough = new Date(now.getTime() - RECONCILE_AFTER_MS);
  const pendingJobIds = new Set(
    (await deps.db.select({ jobId: jobOutbox.jobId }).from(jobOutbox).where(isNull(jobOutbox.enqueuedAt))).map(
      (row) => row.jobId,
    ),
  );
  const missing = async (job: OutboxJob) => {
    const { jobId } = outboxRow(job);
    return !pendingJobIds.has(jobId) && !(await deps.jobExists(job.kind, jobId));
  };

  const approved = await deps.db
    .select({ id: dsrRequests.id })
    .from(dsrRequests)
    .where(and(eq(dsrRequests.type, "deletion"), eq(dsrRequests.status, "approved"), isNotNull(dsrRequests.subjectId)));
  const erasures: OutboxJob[] = [];
  for (const { id } of approved) {
    const job: OutboxJob = { kind: "erase", payload: { requestId: id } };
    if (await missing(job)) erasures.push(job);
  }

  const leftover = await deps.db
    .select({
      id: faceTemplates.id,
      subjectId: faceTemplates.subjectId,
      consentId: faceTemplates.consentId,
      consentWithdrawnAt: consents.withdrawnAt,
    })
    .from(faceTemplates)
    .leftJoin(consents, eq(consents.id, faceTemplates.consentId))
    .where(and(isNotNull(faceTemplates.deletionQueuedAt), lt(faceTemplates.deletionQueuedAt, waitedLongEnough)));
  // Withdrawn consents whose photos are still there (withdrawn before photos were deleted, or the job vanished).
  const withPhotos = await deps.db
    .selectDistinct({ consentId: consents.id, subjectId: consents.subjectId })
    .from(consents)
    .innerJoin(enrolments, eq(enrolments.consentId, consents.id))
    .innerJoin(enrolmentPhotos, eq(enrolmentPhotos.enrolmentId, enrolments.id))
    .where(
      and(
        isNotNull(consents.withdrawnAt),
        lt(consents.withdrawnAt, waitedLongEnough),
        isNull(consents.withdrawalCertificateSha256),
      ),
    );
  // Grouped under the job id a withdrawal uses, so a live withdrawal job for the consent is found, not doubled.
  const byJob = new Map<string, { subjectId: string; templateIds: string[]; consentIds?: string[] }>();
  const groupOf = (jobId: string, subjectId: string, consentId: string | null) => {
    const group = byJob.get(jobId) ?? { subjectId, templateIds: [], ...(consentId ? { consentIds: [consentId] } : {}) };
    byJob.set(jobId, group);
    return group;
  };
  for (const template of leftover) {
    const jobId = template.consentId
      ? templateDeletionJobId(template.consentId)
      : `template-deletion-subject-${template.subjectId}`;
    // Only a withdrawn consent's job deletes (and certifies) its face data; others delete templates only.
    const consentId = template.consentWithdrawnAt ? template.consentId : null;
    groupOf(jobId, template.subjectId, consentId).templateIds.push(template.id);
  }
  for (const consent of withPhotos)
    groupOf(templateDeletionJobId(consent.consentId), consent.subjectId, consent.consentId);
  const deletions: OutboxJob[] = [];
  for (const [jobId, group] of byJob) {
    const job: OutboxJob = { kind: "deleteTemplates", payload: { jobId, reason: "consent_withdrawn", ...group } };
    if (await missing(job)) deletions.push(job);
  }

  const unfinished = await deps.db
    .select({ id: enrolments.id })
    .from(enrolments)
    .where(and(inArray(enrolments.status, ["queued", "processing"]), lt(enrolments.createdAt, waitedLongEnough)));
  const enrols: OutboxJob[] = [];
  for (const { id } of unfinished) {
    const job: OutboxJob = { kind: "enrol", payload: { enrolmentId: id } };
    if (await missing(job)) enrols.push(job);
  }

  await addToOutbox(deps.db, [...erasures, ...deletions, ...enrols]);
  return { erasures: erasures.length, templateDeletions: deletions.length, enrolments: enrols.length };
}

/** The template-deletion job id of a withdrawn consent. */
export const templateDeletionJobId = (consentId: string) => `template-deletion-${consentId}`;

/** Outbox rows pending longer than this are shown to operators as stuck. */
export const OUTBOX_STUCK_AFTER_MS = 60_000;

/**
 * Outbox rows still pending after `olderThanMs` (Redis away, or no ops worker relaying), oldest
 * first, with the deletion request's reference for erasures. Installation-wide: platform admins only.
 */
export async function stuckOutboxRows(db: Database, { olderThanMs = OUTBOX_STUCK_AFTER_MS, limit = 50 } = {}) {
  const rows = await db
    .select({
      id: jobOutbox.id,
      kind: jobOutbox.kind,
      jobId: jobOutbox.jobId,
      createdAt: jobOutbox.createdAt,
      attempts: jobOutbox.attempts,
      lastError: jobOutbox.lastError,
      referenceCode: dsrRequests.referenceCode,
    })
    .from(jobOutbox)
    .leftJoin(dsrRequests, sql`${dsrRequests.id}::text = ${jobOutbox.payload}->>'requestId'`)
    .where(and(isNull(jobOutbox.enqueuedAt), lt(jobOutbox.createdAt, new Date(Date.now() - olderThanMs))))
    .orderBy(asc(jobOutbox.createdAt))
    .limit(limit);
  const [total] = await db
    .select({ count: sql<number>`count(*)::int` })
    .from(jobOutbox)
    .where(and(isNull(jobOutbox.enqueuedAt), lt(jobOutbox.createdAt, new Date(Date.now() - olderThanMs))));
  return { rows, total: total?.count ?? rows.length };
}

/** Deletion requests' reference codes by id (the Workers page names stuck erasures by them). */
export async function requestReferences(db: Database, requestIds: readonly string[]) {
  if (requestIds.length === 0) return new Map<string, string>();
  const rows = await db
    .select({ id: dsrRequests.id, referenceCode: dsrRequests.referenceCode })
    .from(dsrRequests)
    .where(inArray(dsrRequests.id, [...requestIds]));
  return new Map(rows.map((row) => [row.id, row.referenceCode]));
}
