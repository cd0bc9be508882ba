import { hostname } from "node:os";
import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { pino } from "pino";
import { startGateway } from "./gateway";

const SHUTDOWN_TIMEOUT_MS = 10_000;

/** Host, port and path of a connection URL; never its user name or password. */
function describeUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

const logger = pino({
  level: env.LOG_LEVEL,
  base: { service: "gateway", pid: process.pid, hostname: hostname() },
  // Belt and braces: RTSP URLs are masked before logging and tokens are never logged.
  redact: { paths: ["password", "*.password", "token", "*.token", "rtspUrl", "*.rtspUrl"], censor: "[redacted]" },
});

const database = createDatabase(env.DATABASE_URL, { applicationName: "consentry-gateway", max: 3 });

let gateway: Awaited<ReturnType<typeof startGateway>> | undefined;
let shuttingDown = false;

async function shutdown(reason: string, exitCode: number): Promise<never> {
  if (shuttingDown) {
    logger.warn({ reason }, "second shutdown request; exiting now");
    process.exit(1);
  }
  shuttingDown = true;
  logger.info({ reason }, "gateway shutting down");
  const hardStop = setTimeout(() => {
    logger.error({ timeoutMs: SHUTDOWN_TIMEOUT_MS }, "shutdown timed out; exiting");
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS);
  hardStop.unref();
  await gateway?.close().catch((err: unknown) => logger.warn({ err }, "error while closing the gateway"));
  await database.close().catch((err: unknown) => logger.warn({ err }, "error while closing the database pool"));
  clearTimeout(hardStop);
  logger.info("gateway stopped");
  process.exit(exitCode);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => void shutdown(signal, 0));
}

try {
  gateway = await startGateway({
    db: database.db,
    port: env.GATEWAY_PORT,
    secret: env.CONSENTRY_LIVE_VIEW_SECRET,
    logger,
  });
  logger.info({ port: gateway.port, database: describeUrl(env.DATABASE_URL) }, "gateway ready");
} catch (err) {
  logger.fatal({ err }, "gateway could not start");
  await shutdown("startup failure", 1);
}
