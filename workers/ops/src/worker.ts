import { snapshotChangedOrganizations } from "@consentry/core/compliance";
import { reconcileJobs, relayOutbox } from "@consentry/core/dsr";
import {
  type CreatedNotification,
  createMailer,
  DEFAULT_CAMERA_OFFLINE_MINUTES,
  type NotificationMailServices,
} from "@consentry/core/notifications";
import { RETENTION_REPEAT } from "@consentry/core/retention";
import type { Database } from "@consentry/db";
import { env } from "@consentry/env";
import {
  createJobProducer,
  dispatchByName,
  erasureWorkerOptions,
  JOBS,
  NOTIFICATION_JOBS,
  processorFor,
  producerOptions,
  publishInvalidation,
  QUEUE_NAMES,
  redisConnection,
  removeJobEvents,
  workerOptions,
} from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { auditChainAnchorProcessor } from "./processors/audit-chain-anchor";
import { auditChainVerifyProcessor } from "./processors/audit-chain-verify";
import { cameraProbeProcessor, cameraProbeSweepProcessor } from "./processors/camera-probe";
import { dsrErasureProcessor, ERASURE, TEMPLATE_DELETION } from "./processors/dsr-erasure";
import { NOTIFICATION_MAIL_DELAY_MS, notificationsProcessor, queueInstantMail } from "./processors/notifications";
import { retentionProcessor } from "./processors/retention";

export const AUDIT_CHAIN_VERIFY_SCHEDULER_ID = "audit-chain-verify-hourly";
export const AUDIT_CHAIN_VERIFY_EVERY_MS = 3600_000;
/** The daily signed head of the audit chain, shortly after midnight in Shanghai. */
export const AUDIT_CHAIN_ANCHOR_SCHEDULER_ID = "audit-chain-anchor-daily";
export const AUDIT_CHAIN_ANCHOR_REPEAT = { pattern: "5 0 * * *", tz: "Asia/Shanghai" } as const;
export const CAMERA_PROBE_SWEEP = JOBS.cameraProbeSweep.name;
export const CAMERA_PROBE_SWEEP_SCHEDULER_ID = "camera-probe-sweep";
/** Compliance snapshots: for organisations whose facts changed, and daily for all. */
export const COMPLIANCE_SNAPSHOT = JOBS.complianceSnapshot.name;
export const COMPLIANCE_SNAPSHOT_EVERY_MS = 5 * 60_000;
/** Pending job_outbox rows are handed to BullMQ this often. */
export const OUTBOX_RELAY_SCHEDULER_ID = "outbox-relay";
export const OUTBOX_RELAY_EVERY_MS = 5_000;
/** Approved erasures and withdrawn templates whose job vanished are re-queued this often. */
export const JOB_RECONCILE_SCHEDULER_ID = "job-reconcile";
export const JOB_RECONCILE_EVERY_MS = 5 * 60_000;
/** Deletes what is past its retention, hourly (CN-FR-07). */
export const RETENTION_SCHEDULER_ID = "retention-hourly";
/** Instant notification mail still waiting (created by the web app, or its job failed) is queued this often. */
export const NOTIFICATION_RELAY_SCHEDULER_ID = "notification-relay";
export const NOTIFICATION_RELAY_EVERY_MS = 60_000;
/** Requests due soon and overdue, critical findings, the filing threshold and retention: hourly. */
export const NOTIFICATION_SWEEP_SCHEDULER_ID = "notification-sweep-hourly";
export const NOTIFICATION_SWEEP_REPEAT = { pattern: "7 * * * *", tz: "Asia/Shanghai" } as const;
/** The daily digest, at 08:00 in Shanghai. */
export const NOTIFICATION_DIGEST_SCHEDULER_ID = "notification-digest-daily";
export const NOTIFICATION_DIGEST_REPEAT = { pattern: "0 8 * * *", tz: "Asia/Shanghai" } as const;
/** Read notifications older than 90 days go, nightly. */
export const NOTIFICATION_PURGE_SCHEDULER_ID = "notification-purge-daily";
export const NOTIFICATION_PURGE_REPEAT = { pattern: "40 3 * * *", tz: "Asia/Shanghai" } as const;
/** Mail jobs run side by side (each waits on the SMTP server). */
export const NOTIFICATION_CONCURRENCY = 4;
/** Ops jobs run side by side, so a long retention run or chain check never holds up the outbox relay. */
export const OPS_CONCURRENCY = 4;
/** Schedulers are upserted again this often: a Redis that lost its data is repaired without a restart. */
export const SCHEDULER_REASSERT_MS = 30_000;
/** Upper bound for `close()`: after this the connections are dropped even if a job is still running. */
export const CLOSE_TIMEOUT_MS = 10_000;

export type StartOpsWorkerOptions = {
  db: Database;
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one per run. Defaults to BullMQ's "bull". */
  prefix?: string;
  logger: Logger;
  closeTimeoutMs?: number;
  /** How often every enabled camera is probed. */
  probeIntervalMs?: number;
  /** Probes run side by side: each is an ffprobe process waiting on the network. */
  probeConcurrency?: number;
  probeTimeoutMs?: number;
  /** Where enrolment photos are kept: an erasure removes the person's files. */
  storage: FileStore;
  /**
   * Erasures running at once. Each holds a database connection for its per-person lock besides
   * the one it works on, so the pool needs more connections than this.
   */
  erasureConcurrency?: number;
  /** How often the job schedulers this worker owns are upserted again (idempotent). */
  schedulerReassertMs?: number;
  outboxRelayEveryMs?: number;
  reconcileEveryMs?: number;
  /** The development SMTP server's folder: an erasure removes the person's mail from it. */
  devMailboxDir?: string;
  /** How notification mail goes out; by default SMTP_URL/SMTP_FROM, links to BETTER_AUTH_URL. */
  notificationMail?: NotificationMailServices;
  /** A camera down this many minutes is announced to its members (NOTIFY_CAMERA_OFFLINE_MINUTES). */
  cameraOfflineMinutes?: number;
  /** How long instant mail waits to gather what comes together (tests: 0). */
  notificationMailDelayMs?: number;
  notificationRelayEveryMs?: number;
};

export type OpsWorker = {
  worker: Worker;
  probeWorker: Worker;
  /** Template deletions after withdrawals and erasures for approved deletion requests. */
  erasureWorker: Worker;
  /** Notification mail, the relay, the sweep, the digest and the purge. */
  notificationsWorker: Worker;
  /** Registers (again) every job scheduler this worker owns; also run every `schedulerReassertMs`. */
  assertSchedulers(): Promise<void>;
  /** Settles once the workers are connected and the repeatable schedules are registered. */
  ready: Promise<void>;
  /** Closes the workers (letting running jobs finish) and the queues, capped at `closeTimeoutMs`. */
  close(): Promise<void>;
};

export function startOpsWorker({
  db,
  redisUrl,
  prefix,
  logger,
  closeTimeoutMs = CLOSE_TIMEOUT_MS,
  probeIntervalMs = 60_000,
  probeConcurrency = 4,
  probeTimeoutMs,
  storage,
  erasureConcurrency = 2,
  schedulerReassertMs = SCHEDULER_REASSERT_MS,
  outboxRelayEveryMs = OUTBOX_RELAY_EVERY_MS,
  reconcileEveryMs = JOB_RECONCILE_EVERY_MS,
  devMailboxDir,
  notificationMail,
  cameraOfflineMinutes = DEFAULT_CAMERA_OFFLINE_MINUTES,
  notificationMailDelayMs = NOTIFICATION_MAIL_DELAY_MS,
  notificationRelayEveryMs = NOTIFICATION_RELAY_EVERY_MS,
}: StartOpsWorkerOptions): OpsWorker {
  const log = logger.child({ queue: QUEUE_NAMES.ops });
  // Producers: the ops queue registers the schedules; the probe queue receives the sweep's jobs.
  const queue = new Queue(QUEUE_NAMES.ops, producerOptions(redisUrl, prefix));
  const probeQueue = new Queue(QUEUE_NAMES.cameraProbe, producerOptions(redisUrl, prefix));
  // The relay adds outbox jobs through the same producer the web app uses (fails fast while Redis is away).
  const producer = createJobProducer(redisUrl, prefix);
  const erasureQueue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redisUrl, prefix));
  const enrolmentQueue = new Queue(QUEUE_NAMES.enrolment, producerOptions(redisUrl, prefix));
  const jobExists = async (kind: "erase" | "deleteTemplates" | "enrol", jobId: string) =>
    (await (kind === "enrol" ? enrolmentQueue : erasureQueue).getJobState(jobId)) !== "unknown";
  const notificationsQueue = new Queue(QUEUE_NAMES.notifications, producerOptions(redisUrl, prefix));
  const ownMailer = notificationMail ? null : createMailer(env.SMTP_URL, env.SMTP_FROM);
  const mail: NotificationMailServices = notificationMail ?? {
    mailer: ownMailer as NonNullable<typeof ownMailer>,
    baseUrl: env.BETTER_AUTH_URL,
    portalSecret: env.CONSENTRY_PORTAL_SECRET,
  };
  const queueMail = (created: CreatedNotification[]) =>
    queueInstantMail(notificationsQueue, created, notificationMailDelayMs);
  // Gallery invalidations for the inference workers, published once a deletion has committed.
  const publisher = new Redis({ ...redisConnection(redisUrl), maxRetriesPerRequest: null });
  const galleryChanged = (siteId: string) => publishInvalidation(publisher, prefix, { type: "gallery", siteId });
  const worker = new Worker(
    QUEUE_NAMES.ops,
    dispatchByName(QUEUE_NAMES.ops, [
      auditChainVerifyProcessor({ db, logger: log }),
      auditChainAnchorProcessor({ db, logger: log }),
      cameraProbeSweepProcessor({ db, probeQueue }),
      processorFor(JOBS.complianceSnapshot, async () => ({ stored: await snapshotChangedOrganizations(db) })),
      processorFor(JOBS.outboxRelay, () => relayOutbox({ db, jobs: producer })),
      processorFor(JOBS.jobReconcile, async () => {
        const requeued = await reconcileJobs({ db, jobExists });
        if (requeued.erasures + requeued.templateDeletions + requeued.enrolments > 0)
          log.warn(requeued, "re-queued jobs that had vanished");
        return { requeued, relayed: await relayOutbox({ db, jobs: producer }) };
      }),
      retentionProcessor({ db, storage, logger: log, galleryChanged, notifications: { queueMail } }),
    ]),
    { ...workerOptions(redisUrl, prefix), name: "ops-worker", concurrency: OPS_CONCURRENCY },
  );
  const probeWorker = new Worker(
    QUEUE_NAMES.cameraProbe,
    cameraProbeProcessor({
      db,
      logger: logger.child({ queue: QUEUE_NAMES.cameraProbe }),
      timeoutMs: probeTimeoutMs,
      notifications: { offlineMinutes: cameraOfflineMinutes, queueMail },
    }),
    { ...workerOptions(redisUrl, prefix), name: "ops-worker", concurrency: probeConcurrency },
  );
  const erasureLog = logger.child({ queue: QUEUE_NAMES.dsrErasure });
  const erasureWorker = new Worker(
    QUEUE_NAMES.dsrErasure,
    dsrErasureProcessor({
      db,
      storage,
      logger: erasureLog,
      galleryChanged,
      // The erasure also removes the person's finished jobs and their dev-mailbox mail, and checks both.
      redis: { client: publisher, prefix },
      devMailboxDir,
      notifications: { mail, queueMail },
    }),
    { ...erasureWorkerOptions(redisUrl, prefix), name: "ops-worker", concurrency: erasureConcurrency },
  );
  const notificationsLog = logger.child({ queue: QUEUE_NAMES.notifications });
  const notificationsWorker = new Worker(
    QUEUE_NAMES.notifications,
    notificationsProcessor({
      db,
      logger: notificationsLog,
      mail,
      queue: notificationsQueue,
      mailDelayMs: notificationMailDelayMs,
    }),
    { ...workerOptions(redisUrl, prefix), name: "ops-worker", concurrency: NOTIFICATION_CONCURRENCY },
  );
  // A finished erasure's or template deletion's job id names the request or consent; BullMQ writes
  // its `completed` event after the processor returns, so the erasure cannot remove it: it goes here.
  const removingEvents = new Set<Promise<void>>();
  erasureWorker.on("completed", (job) => {
    if (!job.id || (job.name !== ERASURE && job.name !== TEMPLATE_DELETION)) return;
    const removal = removeJobEvents(publisher, prefix, QUEUE_NAMES.dsrErasure, new Set([job.id]))
      .then((removed) => erasureLog.debug({ removed }, "finished job's events removed"))
      .catch((err: unknown) => erasureLog.warn({ err }, "could not remove a finished job's events"))
      .finally(() => removingEvents.delete(removal));
    removingEvents.add(removal);
  });

  // Without listeners an "error" event would crash the process; connection errors are retried by ioredis.
  const logConnectionError = (err: Error) => log.error({ err }, "queue connection error");
  const workers = [worker, probeWorker, erasureWorker, notificationsWorker];
  for (const w of workers) w.on("error", logConnectionError);
  for (const q of [queue, probeQueue, erasureQueue, enrolmentQueue, notificationsQueue])
    q.on("error", logConnectionError);
  publisher.on("error", logConnectionError);
  for (const w of workers) {
    w.on("failed", (job, err) => {
      log.warn(
        { jobId: job?.id, jobName: job?.name, attemptsMade: job?.attemptsMade, err: err.message },
        "ops job failed",
      );
    });
  }

  const assertSchedulers = async () => {
    await JOBS.auditChainVerify.schedule(
      queue,
      AUDIT_CHAIN_VERIFY_SCHEDULER_ID,
      { every: AUDIT_CHAIN_VERIFY_EVERY_MS },
      {},
    );
    await JOBS.auditChainAnchor.schedule(queue, AUDIT_CHAIN_ANCHOR_SCHEDULER_ID, AUDIT_CHAIN_ANCHOR_REPEAT, {});
    await JOBS.cameraProbeSweep.schedule(queue, CAMERA_PROBE_SWEEP_SCHEDULER_ID, { every: probeIntervalMs }, {});
    await JOBS.complianceSnapshot.schedule(queue, COMPLIANCE_SNAPSHOT, { every: COMPLIANCE_SNAPSHOT_EVERY_MS }, {});
    await JOBS.outboxRelay.schedule(queue, OUTBOX_RELAY_SCHEDULER_ID, { every: outboxRelayEveryMs }, {});
    await JOBS.jobReconcile.schedule(queue, JOB_RECONCILE_SCHEDULER_ID, { every: reconcileEveryMs }, {});
    await JOBS.retention.schedule(queue, RETENTION_SCHEDULER_ID, RETENTION_REPEAT, {});
    await NOTIFICATION_JOBS.relay.schedule(
      notificationsQueue,
      NOTIFICATION_RELAY_SCHEDULER_ID,
      { every: notificationRelayEveryMs },
      {},
    );
    await NOTIFICATION_JOBS.sweep.schedule(
      notificationsQueue,
      NOTIFICATION_SWEEP_SCHEDULER_ID,
      NOTIFICATION_SWEEP_REPEAT,
      {},
    );
    await NOTIFICATION_JOBS.digest.schedule(
      notificationsQueue,
      NOTIFICATION_DIGEST_SCHEDULER_ID,
      NOTIFICATION_DIGEST_REPEAT,
      {},
    );
    await NOTIFICATION_JOBS.purge.schedule(
      notificationsQueue,
      NOTIFICATION_PURGE_SCHEDULER_ID,
      NOTIFICATION_PURGE_REPEAT,
      {},
    );
  };
  let reassertTimer: NodeJS.Timeout | undefined;
  const ready = (async () => {
    await Promise.all(workers.map((w) => w.waitUntilReady()));
    await assertSchedulers();
    // upsertJobScheduler is idempotent: re-running it only matters after Redis lost its data.
    reassertTimer = setInterval(() => {
      assertSchedulers().catch((err) => log.warn({ err }, "could not re-assert job schedulers"));
    }, schedulerReassertMs);
    reassertTimer.unref();
    log.info({ auditEveryMs: AUDIT_CHAIN_VERIFY_EVERY_MS, probeEveryMs: probeIntervalMs }, "job schedulers registered");
  })();
  // Callers await `ready`; this only keeps an ignored failure from becoming an unhandled rejection.
  ready.catch((err) => log.error({ err }, "ops worker failed to start"));

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      clearInterval(reassertTimer);
      const everything = [...workers, queue, probeQueue, erasureQueue, enrolmentQueue, notificationsQueue];
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), closeTimeoutMs);
      });
      // The publisher last: a job that is finishing still sends its invalidations and removes its events.
      const shutdown = Promise.allSettled([...everything.map((part) => part.close()), producer.close()]).then(
        async (results) => {
          await Promise.allSettled([...removingEvents]);
          ownMailer?.close();
          return [...results, ...(await Promise.allSettled([publisher.quit()]))];
        },
      );
      const outcome = await Promise.race([shutdown, timeout]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        log.warn({ closeTimeoutMs }, "ops worker did not close in time; dropping connections");
        await Promise.allSettled([...everything.map((part) => part.disconnect()), publisher.disconnect()]);
        return;
      }
      for (const result of outcome) {
        if (result.status === "rejected") log.warn({ err: result.reason }, "error while closing ops worker");
      }
    })();
    return closing;
  };

  return { worker, probeWorker, erasureWorker, notificationsWorker, assertSchedulers, ready, close };
}
