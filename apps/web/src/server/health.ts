import "server-only";
import { sql } from "@consentry/db";
import { env } from "@consentry/env";
import { countWorkers } from "@consentry/queue";
import { db, redis } from "./services";

type Check = "up" | "down";

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)),
  ]);
}

async function check(probe: () => Promise<unknown>): Promise<Check> {
  try {
    await withTimeout(probe(), 2000);
    return "up";
  } catch {
    return "down";
  }
}

export async function healthReport() {
  const [database, cache] = await Promise.all([
    check(() => db.execute(sql`select 1`)),
    check(async () => {
      if (redis.status === "wait" || redis.status === "end") await redis.connect().catch(() => {});
      return redis.ping();
    }),
  ]);
  const workers = cache === "up" ? await withTimeout(countWorkers(env.REDIS_URL), 2000).catch(() => null) : null;
  const down = [database === "down" && "db", cache === "down" && "redis"].filter(Boolean) as string[];
  return {
    status: down.length === 0 ? ("ok" as const) : ("down" as const),
    db: database,
    redis: cache,
    version: env.CONSENTRY_VERSION,
    workers,
    ...(down.length > 0 && { down }),
  };
}
