import "server-only";
import { createAuth } from "@consentry/auth";
import { camerasToAnalyse, createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { cachedFor, createJobProducer, createLeaseReader } from "@consentry/queue";
import { Redis } from "ioredis";
import { logger } from "./logger";

// One pool and one auth instance per server process, kept across dev-server reloads.
const cache = globalThis as unknown as Record<string, unknown>;
function once<T>(key: string, create: () => T): T {
  if (!(key in cache)) cache[key] = create();
  return cache[key] as T;
}

export const database = once("consentryDatabase", () =>
  createDatabase(env.DATABASE_URL, { applicationName: "consentry-web" }),
);
export const db = database.db;
export const auth = once("consentryAuth", () => createAuth(db));

/** For health checks: fails fast instead of queueing commands while Redis is away. */
export const redis = once("consentryRedis", () => {
  const client = new Redis(env.REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: 1500,
    maxRetriesPerRequest: 1,
  });
  // An outage is reported by /api/health; without a listener ioredis prints every retry.
  client.on("error", (err) => logger.debug({ err: err.message }, "redis connection error"));
  return client;
});

/** Enqueues background jobs (camera probes) for the API. */
export const jobs = once("consentryJobs", () => createJobProducer(env.REDIS_URL, env.QUEUE_PREFIX));

/** Whether each camera is analysed, waiting for an inference worker or retrying (camera pages, Workers, health). */
export const leases = once("consentryLeases", () =>
  createLeaseReader({
    redis,
    prefix: env.QUEUE_PREFIX,
    // The installation-wide list costs 40 ms at 100,000 cameras: reused for 2 s, refreshed behind the
    // answer, so no page waits for it. Pages refetch every 15 s; a camera switched on shows "waiting"
    // at most 2 s late.
    camerasToAnalyse: cachedFor(2_000, () => camerasToAnalyse(db), { serveStale: true }),
  }),
);
