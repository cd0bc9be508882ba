import { createHash, timingSafeEqual } from "node:crypto";
import { type Database, sql } from "@consentry/db";
import { type LeaseReader, QUEUE_NAMES } from "@consentry/queue";
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
 * Worker processes attached to each queue, from one CLIENT LIST on the caller's connection.
 * BullMQ names a worker's connections `<prefix>:<base64 queue name>`, optionally followed by
 * `:w:<worker name>` (Queue#getWorkers); matching that here spares a connection per queue.
 */
export async function queueWorkerCounts(redis: Redis, prefix = "bull"): Promise<Record<string, number>> {
  const list = (await redis.client("LIST")) as string;
  const names = list.split(/\r?\n/).map((line) => /(?:^| )name=(\S*)/.exec(line)?.[1] ?? "");
  const counts: Record<string, number> = {};
  for (const queue of Object.values(QUEUE_NAMES)) {
    const base = `${prefix}:${Buffer.from(queue).toString("base64")}`;
    counts[queue] = names.filter((name) => name === base || name.startsWith(`${base}:w:`)).length;
  }
  return counts;
}

/**
 * State of PostgreSQL, Redis and the workers, for /api/health. Everything on Redis goes through
 * `redis`, the one connection the caller keeps for it: nothing here opens another.
 * `inference` counts the cameras with face recognition on by what the inference workers do with
 * them; cameras waiting for a worker are a capacity signal, never an outage, so they leave the
 * status alone. Null when Redis or PostgreSQL does not answer in time.
 */
export async function healthReport(deps: {
  db: Database;
  redis: Redis;
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
          withTimeout(queueWorkerCounts(deps.redis, deps.queuePrefix), timeoutMs).catch(() => null),
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

export type HealthReport = Awaited<ReturnType<typeof healthReport>>;

/**
 * What a caller sees: anonymous callers only up or down (which services and workers an
 * installation runs is reconnaissance); a platform admin or a scraper with the metrics token the
 * whole report.
 */
export function healthView(report: HealthReport, detailed: boolean) {
  return detailed ? report : { status: report.status };
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * True when `authorization` carries CONSENTRY_METRICS_TOKEN as a bearer token. Unlike
 * /api/metrics, no token configured means nobody gets in this way (development included).
 * Both sides are hashed first, so the constant-time compare sees equal lengths.
 */
export function presentsMetricsToken(authorization: string | null, token: string | undefined): boolean {
  const presented = /^Bearer +(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  return Boolean(token && presented && timingSafeEqual(digest(presented), digest(token)));
}
