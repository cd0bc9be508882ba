// Redis for the demo and the tests: the one at REDIS_URL when it answers, else a private redis-server.
// Installing redis-server is the bootstrap's job (scripts/bootstrap.mjs); here it is only looked up.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import {
  freePort,
  isRunning,
  killWithParent,
  maskUrl,
  outputTail,
  type Service,
  stopChild,
  withTimeout,
} from "./processes";
import { detectSystem, locateProgram, missingMessage, SYSTEM_PROGRAMS } from "./programs.mjs";

const ANSWER_TIMEOUT_MS = 2_000;
const REDIS_START_TIMEOUT_MS = 15_000;

type Log = (message: string) => void;

/** True if a `PING` to `url` (redis://[user:password@]host:port[/db]) gets `PONG` within ~2 s. */
export async function redisAnswers(url: string): Promise<boolean> {
  let client: Redis;
  try {
    if (!["redis:", "rediss:"].includes(new URL(url).protocol)) return false;
    // Credentials and database come from the URL (AUTH, SELECT on connect).
    client = new Redis(url, {
      lazyConnect: true,
      connectTimeout: ANSWER_TIMEOUT_MS,
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      enableReadyCheck: false,
    });
  } catch {
    return false;
  }
  client.on("error", () => {}); // the answer is false; no "Unhandled error event" on stderr
  try {
    const pong = withTimeout(
      client.connect().then(() => client.ping()),
      ANSWER_TIMEOUT_MS,
      "timed out",
    );
    return (await pong) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** The server at `url` when it answers, else a private redis-server in `dataDir`/redis. */
export async function ensureRedis(url: string | undefined, dataDir: string, log: Log): Promise<Service> {
  if (url && (await redisAnswers(url))) {
    log(`redis: using ${maskUrl(url)}`);
    return { url };
  }
  log(url ? `redis: ${maskUrl(url)} does not answer; starting a private Redis` : "redis: starting a private Redis");
  return startRedis(dataDir, log);
}

async function startRedis(dataDir: string, log: Log): Promise<Service> {
  const bin = locateRedisServer();
  const dir = path.join(dataDir, "redis");
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  log(`redis: starting ${bin} on 127.0.0.1:${port}`);
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"];
  args.push("--maxmemory-policy", "noeviction", "--dir", dir);
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const output = outputTail();
  child.on("error", output.push);
  child.stdout.on("data", output.push);
  child.stderr.on("data", output.push);
  killWithParent(child, "SIGTERM");
  try {
    await waitForRedis(url, child);
  } catch (err) {
    await stopChild(child);
    throw new Error(`redis: ${(err as Error).message}\nlast output:\n${output.text()}`);
  }
  log(`redis: ready at ${url}`);
  return { name: "redis", url, stop: () => stopChild(child) };
}

async function waitForRedis(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isRunning(child))
      throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode ?? "did not start"})`);
    if (await redisAnswers(url)) return;
    await sleep(100);
  }
  throw new Error(`redis-server did not answer PING within ${REDIS_START_TIMEOUT_MS / 1000} s`);
}

/** redis-server on PATH; the bootstrap installs it when it sees that a private Redis will be needed. */
function locateRedisServer(): string {
  const bin = locateProgram(SYSTEM_PROGRAMS["redis-server"]);
  if (bin) return bin;
  throw new Error(`${missingMessage(["redis-server"], detectSystem())}\n  or set REDIS_URL to a Redis that answers`);
}
