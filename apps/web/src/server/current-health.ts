import "server-only";
import { camerasToAnalyse } from "@consentry/db";
import { env } from "@consentry/env";
import { cachedFor, createLeaseReader } from "@consentry/queue";
import { Redis } from "ioredis";
import { type HealthReport, healthReport } from "./health";
import { db } from "./services";

/** How long one health report answers every caller: load balancers may poll as often as they like. */
export const HEALTH_CACHE_MS = 1_000;
/** The name of the health check's connection in Redis' CLIENT LIST. */
export const HEALTH_CONNECTION_NAME = "consentry-web-health";

// One connection and one cached report per server process, kept across dev-server reloads.
const cache = globalThis as unknown as { consentryHealth?: () => Promise<HealthReport> };

function create() {
  // Fails fast instead of queueing commands while Redis is away: the report says "down" at once.
  const redis = new Redis(env.REDIS_URL, {
    lazyConnect: true,
    enableOfflineQueue: false,
    connectTimeout: 1500,
    maxRetriesPerRequest: 1,
    connectionName: HEALTH_CONNECTION_NAME,
  });
  redis.on("error", () => {}); // an outage is what the report says; ioredis would print every retry
  const leases = createLeaseReader({
    redis,
    prefix: env.QUEUE_PREFIX,
    camerasToAnalyse: () => camerasToAnalyse(db),
  });
  return cachedFor(HEALTH_CACHE_MS, () =>
    healthReport({ db, redis, queuePrefix: env.QUEUE_PREFIX, leases, version: env.CONSENTRY_VERSION }),
  );
}

/** The installation's health, computed at most once a second and shared by concurrent callers. */
export function currentHealth(): Promise<HealthReport> {
  cache.consentryHealth ??= create();
  return cache.consentryHealth();
}
