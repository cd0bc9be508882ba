import "server-only";
import { env } from "@consentry/env";
import { healthReport } from "./health";
import { db, leases, redis } from "./services";

export const currentHealth = () =>
  healthReport({
    db,
    redis,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX,
    leases,
    version: env.CONSENTRY_VERSION,
  });
