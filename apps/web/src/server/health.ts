import { type Database, sql } from "@consentry/db";
import { countWorkers, type LeaseReader } from "@consentry/queue";
import type { Redis } from "ioredis";

type Check = "up" | "down";

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function check(probe: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  try {
    await withTimeout(probe(), timeoutMs);
    return "up";
  } catch {
    return "down";
  }
}

/**
 * State of PostgreSQL, Redis and the workers, for /api/health and the Workers page.
 * `inference` counts the cameras with face recognition on by what the inference workers do with
 * them; cameras waiting for a worker are a capacity signal, never an outage, so they leave the
 * status alone. Null when Redis or PostgreSQL does not answer in time.
 */
export async function healthReport(deps: {
  db: Database;
  redis: Redis;
  redisUrl: string;
  queuePrefix?: string;
  leases: LeaseReader;
  version: string;
  timeoutMs?: number;
}) {
  const timeoutMs = deps.timeoutMs ?? 2000;
  const [database, cache] = await Promise.all([
    check(() => deps.db.execute(sql`select 1`), timeoutMs),
    check(async () => {
      if (deps.redis.status === "wait" || deps.redis.status === "end") await deps.redis.connect().catch(() => {});
      return deps.redis.ping();
    }, timeoutMs),
  ]);
  // Side by side, after the checks: the report still answers within two timeouts at worst.
  const [workers, inference] =
    cache === "up"
      ? await Promise.all([
          withTimeout(countWorkers(deps.redisUrl, deps.queuePrefix), timeoutMs).catch(() => null),
          withTimeout(deps.leases.read(), timeoutMs)
            .then((leased) => leased?.counts ?? null)
            .catch(() => null),
        ])
      : [null, null];
  const down = [database === "down" && "db", cache === "down" && "redis"].filter((name): name is string => !!name);
  return {
    status: down.length === 0 ? ("ok" as const) : ("down" as const),
    db: database,
    redis: cache,
    version: deps.version,
    workers,
    inference,
    ...(down.length > 0 && { down }),
  };
}
