import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { temporaryStorage } from "@consentry/core/testing";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { producerOptions, QUEUE_NAMES, redisConnection } from "@consentry/queue";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AUDIT_CHAIN_ANCHOR_SCHEDULER_ID,
  AUDIT_CHAIN_VERIFY_SCHEDULER_ID,
  CAMERA_PROBE_SWEEP_SCHEDULER_ID,
  COMPLIANCE_SNAPSHOT,
  JOB_RECONCILE_SCHEDULER_ID,
  type OpsWorker,
  OUTBOX_RELAY_SCHEDULER_ID,
  RETENTION_SCHEDULER_ID,
  SCHEDULER_REASSERT_MS,
  startOpsWorker,
} from "./worker";

// Issue #14: job schedulers registered only at start never ran again after Redis lost its data.
// "Lost its data" is every key under this test's private prefix deleted (never the shared Redis).

const redisUrl = env.REDIS_URL;
const prefix = `test-schedulers-${randomBytes(6).toString("hex")}`;
const OWNED = [
  AUDIT_CHAIN_VERIFY_SCHEDULER_ID,
  AUDIT_CHAIN_ANCHOR_SCHEDULER_ID,
  CAMERA_PROBE_SWEEP_SCHEDULER_ID,
  COMPLIANCE_SNAPSHOT,
  OUTBOX_RELAY_SCHEDULER_ID,
  JOB_RECONCILE_SCHEDULER_ID,
  RETENTION_SCHEDULER_ID,
].sort();

const storage = temporaryStorage();
const redis = new Redis(redisConnection(redisUrl));
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let ops: OpsWorker;
let queue: Queue;

async function schedulerIds() {
  return (await queue.getJobSchedulers()).map((scheduler) => scheduler.key).sort();
}

/** Deletes every key of this test's prefix, as a Redis restarted empty would have none. */
async function flushPrefix() {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
    cursor = next;
    if (keys.length) await redis.del(...keys);
  } while (cursor !== "0");
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  ops = startOpsWorker({
    db: testDb.db,
    redisUrl,
    prefix,
    logger: pino({ level: "silent" }),
    storage,
    schedulerReassertMs: 500,
  });
  queue = new Queue(QUEUE_NAMES.ops, producerOptions(redisUrl, prefix));
  await Promise.all([ops.ready, queue.waitUntilReady()]);
}, 60_000);

afterAll(async () => {
  await ops?.close();
  await flushPrefix();
  await queue?.close();
  await redis.quit();
  await testDb?.drop();
  await rm(storage.root, { recursive: true, force: true });
}, 30_000);

describe("job schedulers", { timeout: 20_000 }, () => {
  it("are re-asserted every minute by default", () => {
    expect(SCHEDULER_REASSERT_MS).toBeLessThanOrEqual(60_000);
  });

  it("come back on their own after Redis lost its data", async () => {
    expect(await schedulerIds()).toEqual(OWNED);
    await flushPrefix();
    expect(await schedulerIds()).toEqual([]);
    const deadline = Date.now() + 5_000;
    while ((await schedulerIds()).length < OWNED.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await schedulerIds()).toEqual(OWNED);
  });
});
