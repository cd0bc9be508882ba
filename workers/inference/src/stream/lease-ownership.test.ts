import { randomBytes } from "node:crypto";
import { env } from "@consentry/env";
import { redisConnection } from "@consentry/queue";
import { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import { LeaseOwnership } from "./lease-ownership";

const redis = new Redis({ ...redisConnection(env.REDIS_URL), maxRetriesPerRequest: null });
const lockKey = `test-lease-${randomBytes(4).toString("hex")}:lock`;
const options = { checkEveryMs: 100, trustMs: 600 };

afterAll(async () => {
  await redis.del(lockKey);
  await redis.quit();
});

it("holds while the lock has our token, and is lost when the lock goes or changes hands", async () => {
  await redis.set(lockKey, "ours");
  const ownership = new LeaseOwnership(redis, lockKey, "ours", options);
  try {
    expect(await ownership.check()).toBe(true);
    // Past the trust window, still confirmed by the periodic reads.
    await new Promise((r) => setTimeout(r, 900));
    expect(ownership.lost.aborted).toBe(false);
    await redis.set(lockKey, "another worker's");
    expect(await ownership.check()).toBe(false);
    expect(ownership.lost.reason).toBe("lease taken by another worker");
  } finally {
    ownership.release();
  }

  await redis.set(lockKey, "ours");
  const second = new LeaseOwnership(redis, lockKey, "ours", options);
  await redis.del(lockKey);
  // The periodic read sees it, without anyone asking.
  await new Promise((r) => setTimeout(r, 300));
  expect(second.lost.reason).toBe("lease lock gone from Redis");
  second.release();
});

it("is lost after trustMs when Redis cannot be reached", async () => {
  // A client whose server is gone: reads never answer, as during a Redis outage.
  const cutOff = new Redis({ host: "127.0.0.1", port: 1, maxRetriesPerRequest: null, retryStrategy: () => 200 });
  cutOff.on("error", () => {});
  const ownership = new LeaseOwnership(cutOff, lockKey, "ours", options);
  try {
    const started = Date.now();
    await new Promise<void>((resolve) => ownership.lost.addEventListener("abort", () => resolve()));
    expect(Date.now() - started).toBeGreaterThanOrEqual(options.trustMs - 50);
    expect(Date.now() - started).toBeLessThan(options.trustMs + 300);
    expect(await ownership.check()).toBe(false);
  } finally {
    cutOff.disconnect();
  }
});
