import { hostname } from "node:os";
import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { runService } from "@consentry/service";
import { pino } from "pino";
import { startGateway } from "./gateway";

/** Host, port and path of a connection URL; never its user name or password. */
function describeUrl(raw: string): string {
  const url = new URL(raw);
  return `${url.protocol}//${url.host}${url.pathname === "/" ? "" : url.pathname}`;
}

const logger = pino(
  {
    level: env.LOG_LEVEL,
    base: { service: "gateway", pid: process.pid, hostname: hostname() },
    // Belt and braces: RTSP URLs are masked before logging and tokens are never logged.
    redact: { paths: ["password", "*.password", "token", "*.token", "rtspUrl", "*.rtspUrl"], censor: "[redacted]" },
  },
  pino.destination({ sync: true }), // runService exits with process.exit: no line may still be queued
);

// Closes the gateway (its viewers and relays), then the database pool.
await runService({
  name: "gateway",
  logger,
  shutdownTimeoutMs: 10_000,
  start: async ({ onClose }) => {
    const database = createDatabase(env.DATABASE_URL, { applicationName: "consentry-gateway", max: 3 });
    onClose("database pool", () => database.close());
    const gateway = await startGateway({
      db: database.db,
      port: env.GATEWAY_PORT,
      secret: env.CONSENTRY_LIVE_VIEW_SECRET,
      redis: { url: env.REDIS_URL, prefix: env.QUEUE_PREFIX },
      reauthorizeMs: env.LIVE_VIEW_REAUTHORIZE_MS,
      logger,
    });
    onClose("gateway", () => gateway.close());
    return {
      describe: { port: gateway.port, database: describeUrl(env.DATABASE_URL), redis: describeUrl(env.REDIS_URL) },
    };
  },
});
