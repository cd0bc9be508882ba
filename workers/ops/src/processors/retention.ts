import { type CreatedNotification, retentionNotifications } from "@consentry/core/notifications";
import { runRetention, totalsOf } from "@consentry/core/retention";
import type { Database } from "@consentry/db";
import { JOBS, processorFor } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import type { Logger } from "pino";

/**
 * The hourly `retention` job: deletes what is past its retention (packages/core/src/retention/run.ts),
 * then tells the inference workers to reload the galleries that lost templates. Counts only in the
 * log. A failed run is announced to the members of every organisation with sites (best effort; the
 * notifications sweep also catches runs that were interrupted).
 */
export function retentionProcessor(deps: {
  db: Database;
  storage: FileStore;
  logger: Logger;
  galleryChanged: (siteId: string) => Promise<unknown>;
  notifications?: { queueMail: (created: CreatedNotification[]) => Promise<unknown> };
}) {
  return processorFor(JOBS.retention, async () => {
    const startedAt = performance.now();
    const { runId, counts, templateSiteIds } = await runRetention({ db: deps.db, storage: deps.storage }).catch(
      async (error: unknown) => {
        if (deps.notifications) {
          await retentionNotifications(deps.db)
            .then((created) => deps.notifications?.queueMail(created))
            .catch((err: unknown) => deps.logger.warn({ err }, "could not announce the failed retention run"));
        }
        throw error;
      },
    );
    await Promise.all(templateSiteIds.map((siteId) => deps.galleryChanged(siteId)));
    const totals = totalsOf(counts);
    deps.logger.info({ runId, totals, durationMs: Math.round(performance.now() - startedAt) }, "retention run done");
    return { runId, totals };
  });
}
