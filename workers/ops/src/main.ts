import { hostname } from "node:os";
import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { runService } from "@consentry/service";
import { createFileStore } from "@consentry/storage";
import { pino } from "pino";
import { startOpsWorker } from "./worker";

/** Leaves part of the 10 s shutdown budget for closing the database pool. */
const WORKER_CLOSE_TIMEOUT_MS = 8_000;

/** Host, port and path of a connection URL; never its user name or password. */
function describeUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

const logger = pino(
  {
    level: env.LOG_LEVEL,
    base: { service: "ops-worker", pid: process.pid, hostname: hostname() },
    // Belt and braces: nothing here logs connection options, but if it ever does, no password leaks.
    redact: { paths: ["password", "*.password", "*.connection.password"], censor: "[redacted]" },
  },
  pino.destination({ sync: true }), // runService exits with process.exit: no line may still be queued
);

// Closes the workers (letting running jobs finish, at most WORKER_CLOSE_TIMEOUT_MS), then the pool.
await runService({
  name: "ops worker",
  logger,
  shutdownTimeoutMs: 10_000,
  start: async ({ onClose }) => {
    // Besides the connection it works on, each running erasure holds one for its per-person lock.
    const database = createDatabase(env.DATABASE_URL, { applicationName: "consentry-ops-worker", max: 4 });
    onClose("database pool", () => database.close());
    const ops = startOpsWorker({
      db: database.db,
      redisUrl: env.REDIS_URL,
      prefix: env.QUEUE_PREFIX,
      probeIntervalMs: env.CAMERA_PROBE_INTERVAL_MS,
      storage: createFileStore(env.CONSENTRY_STORAGE_DIR),
      logger,
      closeTimeoutMs: WORKER_CLOSE_TIMEOUT_MS,
      devMailboxDir: env.CONSENTRY_DEV_MAILBOX_DIR,
      cameraOfflineMinutes: env.NOTIFY_CAMERA_OFFLINE_MINUTES,
    });
    onClose("workers", () => ops.close());
    return {
      ready: ops.ready,
      describe: { redis: describeUrl(env.REDIS_URL), database: describeUrl(env.DATABASE_URL) },
    };
  },
});
