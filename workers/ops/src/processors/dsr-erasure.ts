import {
  deleteWithdrawnTemplates,
  type ErasureReach,
  ErasureRefusedError,
  eraseSubjectForRequest,
} from "@consentry/core/dsr";
import {
  type CreatedNotification,
  erasureFailedNotifications,
  type NotificationMailServices,
  prepareCompletionMail,
} from "@consentry/core/notifications";
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
  /**
   * The requester's completion mail (with the certificate link) and staff notices of an erasure
   * that keeps failing; `queueMail` queues the staff mail of the notifications just created.
   */
  notifications?: { mail: NotificationMailServices; queueMail: (created: CreatedNotification[]) => Promise<unknown> };
};

/** Staff are told of a failing erasure from this attempt on (it keeps retrying for about a day). */
export const ERASURE_NOTIFY_AFTER_ATTEMPTS = 3;
/** The completion mail is tried this many times, a few seconds apart, before the job moves on. */
const COMPLETION_MAIL_TRIES = 3;

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
export function dsrErasureProcessor({
  db,
  storage,
  logger,
  galleryChanged,
  redis,
  devMailboxDir,
  notifications,
}: DsrErasureDeps) {
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

  /** Best effort: staff hear of an erasure failing for the third time, or refused for good. */
  const notifyFailure = async (requestId: string, job: Job, final: boolean) => {
    const attempt = job.attemptsMade + 1;
    if (!notifications || (!final && attempt < ERASURE_NOTIFY_AFTER_ATTEMPTS)) return;
    try {
      await notifications.queueMail(await erasureFailedNotifications(db, requestId, attempt));
    } catch (err) {
      logFor(job).warn({ requestId, err }, "could not notify staff of the failing erasure");
    }
  };

  /** The completion mail, read before the erasure drops the request's contact; a few tries, then given up. */
  const completionMail = async (requestId: string, job: Job) => {
    if (!notifications) return null;
    const send = await prepareCompletionMail(db, notifications.mail, requestId).catch(() => null);
    if (!send) return null;
    return async () => {
      for (let attempt = 1; attempt <= COMPLETION_MAIL_TRIES; attempt++) {
        try {
          await send();
          return;
        } catch (err) {
          if (attempt === COMPLETION_MAIL_TRIES) {
            logFor(job).warn({ requestId, reason: (err as Error).message }, "completion mail not sent");
          } else await new Promise((resolve) => setTimeout(resolve, 2_000 * attempt));
        }
      }
    };
  };

  const erasure = processorFor(JOBS.erasure, async ({ requestId }, job) => {
    const startedAt = performance.now();
    let result: Awaited<ReturnType<typeof eraseSubjectForRequest>>;
    const sendCompletion = await completionMail(requestId, job);
    try {
      result = await eraseSubjectForRequest({ db, storage, requestId, redis, devMailboxDir });
    } catch (error) {
      const refused = error instanceof ErasureRefusedError;
      await notifyFailure(requestId, job, refused || job.attemptsMade + 1 >= (job.opts.attempts ?? 1));
      if (refused) throw new UnrecoverableError(`erasure refused: ${error.message}`);
      throw redactedJobError(error);
    }
    await sendCompletion?.();
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
