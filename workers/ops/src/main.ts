import { hostname } from "node:os";
import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { createFileStore } from "@consentry/storage";
import { pino } from "pino";
import { startOpsWorker } from "./worker";

const SHUTDOWN_TIMEOUT_MS = 10_000;
/** Leaves part of the shutdown budget for closing the database pool. */
const WORKER_CLOSE_TIMEOUT_MS = 8_000;

/** Host, port and path of a connection URL; never its user name or password. */
function describeUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

const logger = pino({
  level: env.LOG_LEVEL,
  base: { service: "ops-worker", pid: process.pid, hostname: hostname() },
  // Belt and braces: nothing here logs connection options, but if it ever does, no password leaks.
  redact: { paths: ["password", "*.password", "*.connection.password"], censor: "[redacted]" },
});

// Besides the connection it works on, each running erasure holds one for its per-person lock.
const database = createDatabase(env.DATABASE_URL, { applicationName: "consentry-ops-worker", max: 4 });
const ops = startOpsWorker({
  db: database.db,
  redisUrl: env.REDIS_URL,
  prefix: env.QUEUE_PREFIX,
  probeIntervalMs: env.CAMERA_PROBE_INTERVAL_MS,
  storage: createFileStore(env.CONSENTRY_STORAGE_DIR),
  logger,
  closeTimeoutMs: WORKER_CLOSE_TIMEOUT_MS,
});

let shuttingDown = false;

async function shutdown(reason: string, exitCode: number): Promise<never> {
  if (shuttingDown) {
    logger.warn({ reason }, "second shutdown request; exiting now");
    process.exit(1);
  }
  shuttingDown = true;
  logger.info({ reason }, "ops worker shutting down");
  // One cap for everything: the worker close, then the database pool.
  const hardStop = setTimeout(() => {
    logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, "shutdown timed out; exiting");
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  hardStop.unref();
  await ops.close();
  await database.close().catch((err: unknown) => logger.warn({ err }, "error while closing the database pool"));
  clearTimeout(hardStop);
  logger.info("ops worker stopped");
  process.exit(exitCode);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void shutdown(signal, 0));
}

try {
  await ops.ready;
  logger.info({ redis: describeUrl(env.REDIS_URL), database: describeUrl(env.DATABASE_URL) }, "ops worker ready");
} catch {
  // The cause is already logged by startOpsWorker.
  logger.fatal("ops worker could not start");
  await shutdown("startup failure", 1);
}
