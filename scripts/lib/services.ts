// Makes sure PostgreSQL and Redis answer, starting private ones when they do not.
// Loaded through tsx only (scripts/lib/run.ts), after the bootstrap has installed what it needs.
import path from "node:path";
import { ensurePostgres } from "./postgres";
import type { StartedService } from "./processes";
import { ensureRedis } from "./redis";

export type ServicesOptions = {
  databaseUrl?: string;
  redisUrl?: string;
  /** Where private servers keep their data (created when one starts). */
  dataDir: string;
  log?: (message: string) => void;
};

export type Services = {
  databaseUrl: string;
  redisUrl: string;
  /** The names of the private servers that were started, in order: "postgres", "redis". */
  started: string[];
  /** Stops the private servers, last started first. */
  stop: () => Promise<void>;
};

/** Makes sure PostgreSQL and Redis answer, starting private ones when they do not. */
export async function ensureServices({
  databaseUrl,
  redisUrl,
  dataDir,
  log = console.log,
}: ServicesOptions): Promise<Services> {
  if (!dataDir) throw new Error("ensureServices: dataDir is required");
  const running: StartedService[] = [];
  const stop = async () => {
    for (let service = running.pop(); service; service = running.pop()) await service.stop();
  };
  try {
    const pg = await ensurePostgres(databaseUrl, path.resolve(dataDir), log);
    if (pg.stop) running.push(pg);
    const redis = await ensureRedis(redisUrl, path.resolve(dataDir), log);
    if (redis.stop) running.push(redis);
    return { databaseUrl: pg.url, redisUrl: redis.url, started: running.map((s) => s.name), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
