import {
  deleteWithdrawnTemplates,
  type ErasureReach,
  ErasureRefusedError,
  eraseSubjectForRequest,
} from "@consentry/core/dsr";
import type { Database } from "@consentry/db";
import { dispatchByName, JOBS, processorFor, QUEUE_NAMES } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { type Job, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";

export const TEMPLATE_DELETION = JOBS.templateDeletion.name;
export const ERASURE = JOBS.erasure.name;

export type DsrErasureDeps = ErasureReach & {
  db: Database;
  storage: FileStore;
  logger: Logger;
  /** Tells every inference worker to reload a site's gallery (Redis pub/sub). */
  galleryChanged: (siteId: string) => Promise<unknown>;
};

/**
 * What a failed attempt records in Redis (and the Workers page shows): drizzle's "Failed query:
 * <SQL> params: <values>" is replaced by PostgreSQL's own message, so no parameter is kept.
 */
export function redactedJobError(error: unknown): unknown {
  if (!(error instanceof Error) || !error.message.startsWith("Failed query:")) return error;
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = cause && "code" in cause ? ` ${String(cause.code)}` : "";
  return new Error(`database error${code}: ${cause?.message ?? "query failed"}`);
}

/**
 * The `dsr-erasure` queue: template deletion after a consent withdrawal, and the full erasure
 * behind an approved deletion request. Both are safe to retry; payloads that can never succeed
 * fail at once. Galleries are invalidated after the deletion commits (a retry sends them again).
 * With `redis` the erasure also removes the person's finished jobs and checks Redis; with
 * `devMailboxDir` (development) the mail sent to them.
 */
export function dsrErasureProcessor({ db, storage, logger, galleryChanged, redis, devMailboxDir }: DsrErasureDeps) {
  const invalidate = (siteIds: readonly string[]) => Promise.all(siteIds.map((siteId) => galleryChanged(siteId)));
  const logFor = (job: Job) => logger.child({ job: job.name, jobId: job.id });

  const templateDeletion = processorFor(JOBS.templateDeletion, async (data, job) => {
    const { deleted, siteIds } = await deleteWithdrawnTemplates({ db, storage, job: data }).catch((error: unknown) => {
      if (error instanceof ErasureRefusedError) throw new UnrecoverableError(`deletion refused: ${error.message}`);
      throw redactedJobError(error);
    });
    await invalidate(siteIds);
    logFor(job).info({ subjectId: data.subjectId, deleted, sites: siteIds.length }, "withdrawn templates deleted");
    return { deleted, siteIds };
  });

  const erasure = processorFor(JOBS.erasure, async ({ requestId }, job) => {
    const startedAt = performance.now();
    let result: Awaited<ReturnType<typeof eraseSubjectForRequest>>;
    try {
      result = await eraseSubjectForRequest({ db, storage, requestId, redis, devMailboxDir });
    } catch (error) {
      if (error instanceof ErasureRefusedError) throw new UnrecoverableError(`erasure refused: ${error.message}`);
      throw redactedJobError(error);
    }
    await invalidate(result.siteIds);
    // Counts and the pseudonym only: never a name or contact in the log.
    logFor(job).info(
      {
        requestId,
        pseudonym: result.certificate.subject.pseudonym,
        items: result.certificate.items,
        certificateSha256: result.sha256,
        durationMs: Math.round(performance.now() - startedAt),
      },
      "subject erased; deletion certificate issued",
    );
    return { sha256: result.sha256, items: result.certificate.items, siteIds: result.siteIds };
  });

  return dispatchByName(QUEUE_NAMES.dsrErasure, [templateDeletion, erasure]);
}
