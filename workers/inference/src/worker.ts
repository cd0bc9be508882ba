import { hostname } from "node:os";
import { camerasToAnalyse, type Database } from "@consentry/db";
import {
  invalidationChannel,
  invalidationSchema,
  JOBS,
  processorFor,
  producerOptions,
  publishHeartbeat,
  publishInvalidation,
  QUEUE_NAMES,
  redisConnection,
  removeHeartbeat,
  type WorkerHeartbeat,
  workerOptions,
} from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import type { FaceAnalyzer } from "@consentry/vision";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { GalleryCache } from "./gallery";
import { enrolmentQueueProcessor, queueReEnrolments } from "./re-enrolment";
import { type ActiveCamera, analyzeCamera, type StreamSettings } from "./stream/analyze-camera";
import { EventWriter, type EventWriterOptions, type EventWriterStats } from "./stream/events";
import { LeaseOwnership } from "./stream/lease-ownership";

const MAX_RETRY_DELAY_MS = 15_000;
/** A lease ends this long before its lock's expiry as last read, so its stream has stopped before another worker can take it. */
const LEASE_MARGIN_MS = 250;
const LOCK_RENEW_MS = 400;

export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  frameWidth: 640,
  frameHeight: 360,
  matchThreshold: 0.45,
  recheckMs: 3000,
  settingsPollMs: 5000,
  stallTimeoutMs: 10_000,
  trackGapMs: 60_000,
};

export type InferenceWorkerOptions = {
  db: Database;
  redisUrl: string;
  prefix?: string;
  storage: FileStore;
  analyzer: FaceAnalyzer;
  logger: Logger;
  /** Cameras one worker analyses at once (its stream-analysis concurrency). */
  maxCameras: number;
  settings?: Partial<StreamSettings>;
  /** Lease lock: a killed worker's cameras are taken over after at most this plus `stalledIntervalMs`. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** How often lease jobs are (re)created for every camera with face recognition on. */
  reconcileEveryMs?: number;
  heartbeatEveryMs?: number;
  /** How often a held lease's lock is read back (./stream/lease-ownership.ts). */
  leaseCheckEveryMs?: number;
  events?: Omit<EventWriterOptions, "lostSince" | "storage" | "trackGapMs">;
  workerId?: string;
};

/**
 * Every camera that should be analysed gets its lease job; existing ids make this a no-op.
 * `delayFor` holds back cameras whose stream keeps failing, so a dead camera is retried with
 * backoff instead of hammered.
 */
export async function ensureLeases(
  db: Database,
  queue: Queue,
  delayFor: (cameraId: string) => number = () => 0,
): Promise<number> {
  const cameras = await camerasToAnalyse(db);
  if (cameras.length === 0) return 0;
  await JOBS.streamLease.addBulk(
    queue,
    cameras.map((id) => ({ data: { cameraId: id }, opts: { delay: delayFor(id) } })),
  );
  return cameras.length;
}

/**
 * An inference worker: computes enrolment templates and holds stream-analysis leases, up to
 * `maxCameras` at once. Any number of these can run on any hosts sharing Redis and PostgreSQL.
 */
export function startInferenceWorker(options: InferenceWorkerOptions) {
  const { db, redisUrl, prefix, analyzer, logger, maxCameras } = options;
  const settings = { ...DEFAULT_STREAM_SETTINGS, ...options.settings };
  const workerId = options.workerId ?? `${hostname()}-${process.pid}`;
  const startedAt = new Date().toISOString();
  const galleries = new GalleryCache(db, analyzer.modelId);
  const active = new Map<string, ActiveCamera>();
  const shutdown = new AbortController();
  let enrolmentsDone = 0;
  // The lease each camera analysed here runs under; a lost one stays until the camera's next lease.
  const leases = new Map<string, { jobId: string; ownership: LeaseOwnership }>();
  const leaseCheckEveryMs = options.leaseCheckEveryMs ?? 250;
  const lockDurationMs = options.lockDurationMs ?? 2000;
  // Counts and an error code only: an event's content (who, where) never goes to the log.
  const events = new EventWriter(db, ({ level, message, counts }) => logger[level](counts, message), {
    ...options.events,
    trackGapMs: settings.trackGapMs,
    storage: options.storage,
    // Re-checked before each batch: events found after a lease was lost are another worker's to report.
    lostSince: async (cameraIds) => {
      const lost = new Map<string, number>();
      for (const cameraId of cameraIds) {
        const lease = leases.get(cameraId);
        if (lease && !(await lease.ownership.check())) lost.set(cameraId, lease.ownership.confirmedAt);
      }
      return lost;
    },
  });
  const leaseQueue = new Queue(QUEUE_NAMES.streamAnalysis, producerOptions(redisUrl, prefix));
  const enrolmentQueue = new Queue(QUEUE_NAMES.enrolment, producerOptions(redisUrl, prefix));
  leaseQueue.on("error", (err) => logger.warn({ err: err.message }, "stream-analysis queue error"));
  const redis = new Redis({ ...redisConnection(redisUrl), maxRetriesPerRequest: null });
  const subscriber = new Redis({ ...redisConnection(redisUrl), maxRetriesPerRequest: null });
  for (const client of [redis, subscriber])
    client.on("error", (err) => logger.warn({ err: err.message }, "redis error"));

  // Consecutive failed leases per camera (stream down, wrong address): 1 s, 2 s, 4 s … 15 s.
  const failures = new Map<string, number>();
  const backoff = (cameraId: string) => {
    const count = failures.get(cameraId) ?? 0;
    return count === 0 ? 0 : Math.min(1000 * 2 ** (count - 1), MAX_RETRY_DELAY_MS);
  };
  const reconcile = () => void ensureLeases(db, leaseQueue, backoff).catch(() => {});

  const galleryChanged = (siteId: string) => {
    galleries.invalidate(siteId);
    for (const camera of active.values()) {
      if (camera.siteId !== siteId) continue;
      camera.tracker.forgetIdentities();
      camera.analysis.forgetVisits();
    }
  };

  subscriber.on("message", (_channel, message) => {
    const parsed = invalidationSchema.safeParse(JSON.parse(message));
    if (!parsed.success) return;
    const change = parsed.data;
    if (change.type === "gallery") galleryChanged(change.siteId);
    else active.get(change.cameraId)?.stop.abort("camera settings changed");
    // A camera turned on gets its lease at once rather than at the next reconcile.
    if (change.type === "camera") {
      failures.delete(change.cameraId);
      reconcile();
    }
  });

  const enrol = enrolmentQueueProcessor({
    db,
    storage: options.storage,
    analyzer,
    // Every worker, this one included, reloads that site's gallery.
    galleryChanged: (siteId) => publishInvalidation(redis, prefix, { type: "gallery", siteId }),
  });
  const enrolmentWorker = new Worker(
    QUEUE_NAMES.enrolment,
    async (job: Job) => {
      const result = await enrol(job);
      enrolmentsDone++;
      return result;
    },
    { ...workerOptions(redisUrl, prefix), name: workerId, concurrency: 1 },
  );

  const leaseWorker = new Worker(
    QUEUE_NAMES.streamAnalysis,
    processorFor(JOBS.streamLease, async ({ cameraId }, job) => {
      const jobId = String(job.id);
      const ownership = new LeaseOwnership(redis, `${leaseQueue.toKey(jobId)}:lock`, job.token ?? "", {
        checkEveryMs: leaseCheckEveryMs,
        lockDurationMs,
        marginMs: LEASE_MARGIN_MS,
      });
      leases.set(cameraId, { jobId, ownership });
      ownership.lost.addEventListener("abort", () =>
        logger.warn({ cameraId, reason: String(ownership.lost.reason) }, "camera lease lost; stream stopped"),
      );
      const stopped = AbortSignal.any([shutdown.signal, ownership.lost]);
      try {
        // No wait: a previous holder stopped before its lock expired, and BullMQ hands a lease on only after that.
        const takenAt = Date.now();
        logger.info({ cameraId }, "camera lease taken");
        const result = await analyzeCamera({
          db,
          analyzer,
          galleries,
          events,
          storage: options.storage,
          settings,
          active,
          cameraId,
          shutdown: stopped,
          // Where a takeover's seconds go (bench:vision reads this line).
          onFirstFrame: ({ streamOpenedAt, frameAt }) =>
            logger.info(
              {
                cameraId,
                afterMs: Date.now() - takenAt,
                streamOpenedAfterMs: streamOpenedAt - takenAt,
                firstFrameAfterMs: frameAt - streamOpenedAt,
              },
              "camera analysed: first frame",
            ),
        });
        logger.info({ cameraId, reason: result.stopped }, "camera lease released");
        return result;
      } finally {
        ownership.release();
        // A lost lease is kept a minute, so that its events still pending are withheld.
        const forget = () => {
          if (leases.get(cameraId)?.ownership === ownership) leases.delete(cameraId);
        };
        if (ownership.lost.aborted) setTimeout(forget, 60_000).unref();
        else forget();
      }
    }),
    {
      ...workerOptions(redisUrl, prefix),
      name: workerId,
      concurrency: maxCameras,
      lockDuration: lockDurationMs,
      // Renewed well before the lock runs low: a late renewal under load must not cost the lease.
      lockRenewTime: LOCK_RENEW_MS,
      // Checked often: a dead worker's cameras move on within a check of its locks' expiry.
      stalledInterval: options.stalledIntervalMs ?? 250,
      // A lease stalls whenever its worker dies; that must never fail the camera for good.
      maxStalledCount: 1_000_000,
    },
  );
  // BullMQ could not renew these locks, or found a lease of ours stalled: another worker may take
  // them now, so their streams stop at once.
  const loseLease = (jobId: string, reason: string) => {
    for (const lease of leases.values()) if (lease.jobId === jobId) lease.ownership.lose(reason);
  };
  leaseWorker.on("lockRenewalFailed", (jobIds) => {
    for (const jobId of jobIds) loseLease(jobId, "lease lock renewal failed");
  });
  leaseWorker.on("stalled", (jobId) => loseLease(jobId, "lease stalled"));
  // A lease that ended while its camera still needs analysing (settings changed) is renewed now.
  leaseWorker.on("completed", (job) => {
    failures.delete(String(job.data?.cameraId));
    reconcile();
  });
  leaseWorker.on("failed", (job) => {
    const cameraId = String(job?.data?.cameraId);
    // A lease that ran a while before failing starts the backoff afresh.
    const ranMs = (job?.finishedOn ?? 0) - (job?.processedOn ?? 0);
    failures.set(cameraId, ranMs > 30_000 ? 1 : (failures.get(cameraId) ?? 0) + 1);
    reconcile();
  });
  for (const worker of [enrolmentWorker, leaseWorker]) {
    worker.on("error", (err) => logger.error({ err: err.message }, "worker error"));
    worker.on("failed", (job, err) =>
      logger.warn({ queue: worker.name, jobId: job?.id, err: err.message }, "job failed"),
    );
  }

  const heartbeat = async () => {
    // `events` is read by /api/metrics; older readers ignore the extra field.
    const beat: WorkerHeartbeat & { events: EventWriterStats } = {
      id: workerId,
      host: hostname(),
      pid: process.pid,
      startedAt,
      at: new Date().toISOString(),
      modelId: analyzer.modelId,
      maxCameras,
      memoryMb: Math.round(process.memoryUsage().rss / 1048576),
      enrolmentsDone,
      events: events.stats(),
      cameras: [...active.values()].map((camera) => camera.stats.snapshot()),
    };
    await publishHeartbeat(redis, prefix, beat);
  };
  const timers = [
    setInterval(reconcile, options.reconcileEveryMs ?? 10_000),
    setInterval(() => void heartbeat().catch(() => {}), options.heartbeatEveryMs ?? 5_000),
  ];

  const ready = (async () => {
    await subscriber.subscribe(invalidationChannel(prefix));
    await Promise.all([enrolmentWorker.waitUntilReady(), leaseWorker.waitUntilReady()]);
    await ensureLeases(db, leaseQueue, backoff);
    await heartbeat();
    // After a model change: the sites whose templates this model cannot compare are re-enrolled.
    const sites = await queueReEnrolments(db, enrolmentQueue, analyzer.modelId);
    if (sites > 0) logger.info({ sites, modelId: analyzer.modelId }, "re-enrolment queued for older templates");
  })();

  return {
    workerId,
    ready,
    active,
    async close() {
      for (const timer of timers) clearInterval(timer);
      shutdown.abort("worker shutting down");
      await Promise.all([enrolmentWorker.close(), leaseWorker.close()]);
      // Its streams have stopped and their leases completed: queued afresh, other workers take them at once.
      await ensureLeases(db, leaseQueue).catch((err) =>
        logger.warn({ err: err instanceof Error ? err.message : String(err) }, "could not hand the cameras over"),
      );
      await events.close();
      await removeHeartbeat(redis, prefix, workerId).catch(() => {});
      await Promise.all([leaseQueue.close(), enrolmentQueue.close(), redis.quit(), subscriber.quit()]);
    },
  };
}
export type InferenceWorker = ReturnType<typeof startInferenceWorker>;
