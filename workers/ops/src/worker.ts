import type { Database } from "@consentry/db";
import { type OpsJobName, producerOptions, QUEUE_NAMES, workerOptions } from "@consentry/queue";
import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import type { Logger } from "pino";
import { AUDIT_CHAIN_VERIFY, auditChainVerifyProcessor } from "./processors/audit-chain-verify";

export const AUDIT_CHAIN_VERIFY_SCHEDULER_ID = "audit-chain-verify-hourly";
export const AUDIT_CHAIN_VERIFY_EVERY_MS = 3600_000;
/** Upper bound for `close()`: after this the connections are dropped even if a job is still running. */
export const CLOSE_TIMEOUT_MS = 10_000;

export type StartOpsWorkerOptions = {
  db: Database;
  redisUrl: string;
  /** BullMQ key prefix; tests use a unique one per run. Defaults to BullMQ's "bull". */
  prefix?: string;
  logger: Logger;
  closeTimeoutMs?: number;
};

export type OpsWorker = {
  worker: Worker;
  /** Settles once the worker is connected and the repeatable schedule is registered. */
  ready: Promise<void>;
  /** Closes the worker (letting a running job finish) and the queue, capped at `closeTimeoutMs`. */
  close(): Promise<void>;
};

type OpsProcessor = (job: Job) => Promise<unknown>;

export function startOpsWorker({
  db,
  redisUrl,
  prefix,
  logger,
  closeTimeoutMs = CLOSE_TIMEOUT_MS,
}: StartOpsWorkerOptions): OpsWorker {
  const log = logger.child({ queue: QUEUE_NAMES.ops });
  const processors: Record<OpsJobName, OpsProcessor> = {
    [AUDIT_CHAIN_VERIFY]: auditChainVerifyProcessor({ db, logger: log }),
  };
  const isOpsJobName = (name: string): name is OpsJobName => Object.hasOwn(processors, name);

  const worker = new Worker(
    QUEUE_NAMES.ops,
    async (job: Job) => {
      if (!isOpsJobName(job.name)) {
        throw new UnrecoverableError(`unknown job name "${job.name}" on queue ${QUEUE_NAMES.ops}`);
      }
      return processors[job.name](job);
    },
    { ...workerOptions(redisUrl, prefix), name: "ops-worker" },
  );
  // Only used to register the schedule; its default job options (retries, retention) apply to scheduled jobs.
  const queue = new Queue(QUEUE_NAMES.ops, producerOptions(redisUrl, prefix));

  // Without listeners an "error" event would crash the process; connection errors are retried by ioredis.
  worker.on("error", (err) => log.error({ err }, "ops worker error"));
  queue.on("error", (err) => log.error({ err }, "ops queue error"));
  worker.on("failed", (job, err) => {
    log.warn(
      { jobId: job?.id, jobName: job?.name, attemptsMade: job?.attemptsMade, err: err.message },
      "ops job failed",
    );
  });

  const ready = (async () => {
    await worker.waitUntilReady();
    await queue.upsertJobScheduler(
      AUDIT_CHAIN_VERIFY_SCHEDULER_ID,
      { every: AUDIT_CHAIN_VERIFY_EVERY_MS },
      { name: AUDIT_CHAIN_VERIFY, data: {} },
    );
    log.info(
      { schedulerId: AUDIT_CHAIN_VERIFY_SCHEDULER_ID, everyMs: AUDIT_CHAIN_VERIFY_EVERY_MS },
      "job scheduler registered",
    );
  })();
  // Callers await `ready`; this only keeps an ignored failure from becoming an unhandled rejection.
  ready.catch((err) => log.error({ err }, "ops worker failed to start"));

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), closeTimeoutMs);
      });
      const shutdown = Promise.allSettled([worker.close(), queue.close()]);
      const outcome = await Promise.race([shutdown, timeout]);
      clearTimeout(timer);
      if (outcome === "timeout") {
        log.warn({ closeTimeoutMs }, "ops worker did not close in time; dropping connections");
        await Promise.allSettled([worker.disconnect(), queue.disconnect()]);
        return;
      }
      for (const result of outcome) {
        if (result.status === "rejected") log.warn({ err: result.reason }, "error while closing ops worker");
      }
    })();
    return closing;
  };

  return { worker, ready, close };
}
