import { randomBytes } from "node:crypto";
import { env } from "@consentry/env";
import { redisConnection } from "@consentry/queue";
import { Redis } from "ioredis";
import { afterAll, expect, it } from "vitest";
import { LeaseOwnership } from "./lease-ownership";

const redis = new Redis({ ...redisConnection(env.REDIS_URL), maxRetriesPerRequest: null });
const lockKey = `test-lease-${randomBytes(4).toString("hex")}:lock`;
const options = { checkEveryMs: 100, lockDurationMs: 600, marginMs: 150 };
const lostWithin = (ownership: LeaseOwnership) =>
  new Promise<void>((resolve) => ownership.lost.addEventListener("abort", () => resolve()));

afterAll(async () => {
  await redis.del(lockKey);
  await redis.quit();
});

it("holds while the lock has our token and is renewed, and is lost when the lock goes or changes hands", async () => {
  await redis.set(lockKey, "ours", "PX", options.lockDurationMs);
  const ownership = new LeaseOwnership(redis, lockKey, "ours", options);
  // BullMQ renews the lock at half its duration; ownership follows the renewed expiry.
  const renewing = setInterval(() => void redis.pexpire(lockKey, options.lockDurationMs), options.lockDurationMs / 2);
  try {
    expect(await ownership.check()).toBe(true);
    await new Promise((r) => setTimeout(r, 3 * options.lockDurationMs));
    expect(ownership.lost.aborted).toBe(false);
    await redis.set(lockKey, "another worker's", "PX", options.lockDurationMs);
    expect(await ownership.check()).toBe(false);
    expect(ownership.lost.reason).toBe("lease taken by another worker");
  } finally {
    clearInterval(renewing);
    ownership.release();
  }

  await redis.set(lockKey, "ours", "PX", 10_000);
  const second = new LeaseOwnership(redis, lockKey, "ours", options);
  await redis.del(lockKey);
  // The periodic read sees it, without anyone asking.
  await new Promise((r) => setTimeout(r, 300));
  expect(second.lost.reason).toBe("lease lock gone from Redis");
  second.release();
});

it("is lost before an unrenewed lock expires, while no other worker can have it yet", async () => {
  const lockMs = 1000;
  await redis.set(lockKey, "ours", "PX", lockMs);
  const started = Date.now();
  const ownership = new LeaseOwnership(redis, lockKey, "ours", { ...options, lockDurationMs: 5000 });
  await lostWithin(ownership);
  expect(ownership.lost.reason).toBe("lease lock about to expire unrenewed");
  expect(Date.now() - started).toBeLessThan(lockMs);
  // Still ours in Redis when we stopped: BullMQ could not have handed the job on.
  expect(await redis.get(lockKey)).toBe("ours");
});

it("is lost before the lock's longest possible expiry when Redis cannot be reached", async () => {
  // A client whose server is gone: reads never answer, as during a Redis outage.
  const cutOff = new Redis({ host: "127.0.0.1", port: 1, maxRetriesPerRequest: null, retryStrategy: () => 200 });
  cutOff.on("error", () => {});
  const started = Date.now();
  const ownership = new LeaseOwnership(cutOff, lockKey, "ours", options);
  try {
    await lostWithin(ownership);
    const after = Date.now() - started;
    expect(after).toBeGreaterThanOrEqual(options.lockDurationMs - options.marginMs - 50);
    expect(after).toBeLessThan(options.lockDurationMs);
    expect(ownership.lost.reason).toBe("lease lock about to expire unrenewed");
    expect(await ownership.check()).toBe(false);
  } finally {
    cutOff.disconnect();
  }
});
