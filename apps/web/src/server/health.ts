import { type Database, sql } from "@consentry/db";
import { countWorkers } from "@consentry/queue";
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

/** State of PostgreSQL, Redis and the workers, for /api/health and the Workers page. */
export async function healthReport(deps: {
  db: Database;
  redis: Redis;
  redisUrl: string;
  queuePrefix?: string;
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
  const workers =
    cache === "up"
      ? await withTimeout(countWorkers(deps.redisUrl, deps.queuePrefix), timeoutMs).catch(() => null)
      : null;
  const down = [database === "down" && "db", cache === "down" && "redis"].filter((name): name is string => !!name);
  return {
    status: down.length === 0 ? ("ok" as const) : ("down" as const),
    db: database,
    redis: cache,
    version: deps.version,
    workers,
    ...(down.length > 0 && { down }),
  };
}
