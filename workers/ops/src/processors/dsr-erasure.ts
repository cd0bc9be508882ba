import { deleteWithdrawnTemplates, ErasureRefusedError, eraseSubjectForRequest } from "@consentry/core/dsr";
import type { Database } from "@consentry/db";
import { dsrErasureJobSchema, templateDeletionJobSchema } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { type Job, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";

export const TEMPLATE_DELETION = "template-deletion" as const;
export const ERASURE = "erasure" as const;

export type DsrErasureDeps = {
  db: Database;
  storage: FileStore;
  logger: Logger;
  /** Tells every inference worker to reload a site's gallery (Redis pub/sub). */
  galleryChanged: (siteId: string) => Promise<unknown>;
};

/**
 * The `dsr-erasure` queue: template deletion after a consent withdrawal, and the full erasure
 * behind an approved deletion request. Both are safe to retry; payloads that can never succeed
 * fail at once. Galleries are invalidated after the deletion commits (a retry sends them again).
 */
export function dsrErasureProcessor({ db, storage, logger, galleryChanged }: DsrErasureDeps) {
  const invalidate = (siteIds: readonly string[]) => Promise.all(siteIds.map((siteId) => galleryChanged(siteId)));

  return async (job: Job) => {
    const log = logger.child({ job: job.name, jobId: job.id });
    if (job.name === TEMPLATE_DELETION) {
      const parsed = templateDeletionJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${TEMPLATE_DELETION}`);
      const { deleted, siteIds } = await deleteWithdrawnTemplates({ db, job: parsed.data });
      await invalidate(siteIds);
      log.info({ subjectId: parsed.data.subjectId, deleted, sites: siteIds.length }, "withdrawn templates deleted");
      return { deleted, siteIds };
    }
    if (job.name === ERASURE) {
      const parsed = dsrErasureJobSchema.safeParse(job.data);
      if (!parsed.success) throw new UnrecoverableError(`invalid payload for ${ERASURE}`);
      const startedAt = performance.now();
      let result: Awaited<ReturnType<typeof eraseSubjectForRequest>>;
      try {
        result = await eraseSubjectForRequest({ db, storage, requestId: parsed.data.requestId });
      } catch (error) {
        if (error instanceof ErasureRefusedError) throw new UnrecoverableError(`erasure refused: ${error.message}`);
        throw error;
      }
      await invalidate(result.siteIds);
      // Counts and the pseudonym only: never a name or contact in the log.
      log.info(
        {
          requestId: parsed.data.requestId,
          pseudonym: result.certificate.subject.pseudonym,
          items: result.certificate.items,
          certificateSha256: result.sha256,
          durationMs: Math.round(performance.now() - startedAt),
        },
        "subject erased; deletion certificate issued",
      );
      return { sha256: result.sha256, items: result.certificate.items, siteIds: result.siteIds };
    }
    throw new UnrecoverableError(`unknown job name "${job.name}" on the dsr-erasure queue`);
  };
}
