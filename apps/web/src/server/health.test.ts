import { randomBytes } from "node:crypto";
import diagnostics from "node:diagnostics_channel";
import { createServer } from "node:net";
import { liveLeases, makeOrganization } from "@consentry/api/testing";
import { createDatabase, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { cachedFor, type LeaseReader, QUEUE_NAMES, workerOptions } from "@consentry/queue";
// BullMQ itself (a dependency of @consentry/queue): a real worker, to count as the web app does.
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthReport, healthView, presentsMetricsToken } from "./health";

// Real PostgreSQL and Redis, plus a port where nothing listens to stand for a dead service.
// Lease states live under a queue prefix of this run only, where no worker ever takes a lease.
const prefix = `test-health-${randomBytes(4).toString("hex")}`;

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let closedPort: number;
const clients: Redis[] = [];
const redisAt = (url: string, connectionName?: string) => {
  const client = new Redis(url, {
    connectionName,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on("error", () => {}); // the refused connection is the point of some tests
  clients.push(client);
  return client;
};

const leasesAt = (redis: Redis) => liveLeases(testDb.db, redis, prefix);

beforeAll(async () => {
  testDb = await createTestDatabase();
  // Two cameras with face recognition on and no inference worker: both wait for one.
  const org = await makeOrganization(testDb.db);
  const [site] = await testDb.db
    .insert(schema.sites)
    .values({
      orgId: org.id,
      name: "Health Plaza",
      code: "S-HEALTH1",
      address: "1 Road",
      regionCode: "310101",
      kind: "office",
    })
    .returning();
  await testDb.db.insert(schema.cameras).values(
    ["Gate 1", "Gate 2", "Lobby"].map((name, index) => ({
      orgId: org.id,
      siteId: site?.id as string,
      name,
      rtspUrlEnc: "not-read-here",
      rtspUrlMasked: "rtsp://127.0.0.1/cam",
      locationType: "entrance" as const,
      frEnabled: index < 2,
    })),
  );
  closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
});
afterAll(async () => {
  for (const client of clients) client.disconnect();
  await testDb?.drop();
});

describe("healthReport", () => {
  it("is ok when PostgreSQL and Redis answer, and counts cameras waiting for an inference worker without turning down", async () => {
    const redis = redisAt(env.REDIS_URL);
    const report = await healthReport({
      db: testDb.db,
      redis,
      queuePrefix: prefix,
      leases: leasesAt(redis),
      version: "9.9.9",
    });
    expect(report).toMatchObject({ status: "ok", db: "up", redis: "up", version: "9.9.9" });
    expect(report).not.toHaveProperty("down");
    expect(report.workers).toEqual(expect.objectContaining({ ops: expect.any(Number) }));
    // A capacity signal: two cameras wait for a worker (the third has face recognition off).
    expect(report.inference).toEqual({ analysed: 0, waiting: 2, retrying: 0 });
  });

  it("answers within its timeout when the lease states do not, without them", async () => {
    const stuck: LeaseReader = { read: () => new Promise(() => {}) };
    const started = Date.now();
    const report = await healthReport({
      db: testDb.db,
      redis: redisAt(env.REDIS_URL),
      queuePrefix: prefix,
      leases: stuck,
      version: "1",
      timeoutMs: 300,
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(report).toMatchObject({ status: "ok", inference: null });
  });

  it("names Redis when it is down", async () => {
    const deadRedis = `redis://127.0.0.1:${closedPort}`;
    const redis = redisAt(deadRedis);
    const report = await healthReport({
      db: testDb.db,
      redis,
      leases: leasesAt(redis),
      version: "1",
      timeoutMs: 1000,
    });
    expect(report).toMatchObject({
      status: "down",
      db: "up",
      redis: "down",
      down: ["redis"],
      workers: null,
      inference: null,
    });
  });

  it("names PostgreSQL when it is down", async () => {
    const dead = createDatabase(`postgres://postgres@127.0.0.1:${closedPort}/nothing`, {
      applicationName: "health-test",
      max: 1,
    });
    const redis = redisAt(env.REDIS_URL);
    const report = await healthReport({
      db: dead.db,
      redis,
      queuePrefix: prefix,
      leases: liveLeases(dead.db, redis, prefix),
      version: "1",
      timeoutMs: 1000,
    });
    await dead.close();
    expect(report).toMatchObject({ status: "down", db: "down", redis: "up", down: ["db"], inference: null });
  });
});

/** TCP connections this process opens while `work` runs (Node announces each client socket). */
async function socketsOpenedDuring(work: () => Promise<unknown>) {
  let opened = 0;
  const count = () => {
    opened++;
  };
  diagnostics.subscribe("net.client.socket", count);
  try {
    await work();
  } finally {
    diagnostics.unsubscribe("net.client.socket", count);
  }
  return opened;
}

const clientsNamed = async (name: string) => {
  const admin = redisAt(env.REDIS_URL);
  await admin.connect();
  const list = (await admin.client("LIST")) as string;
  admin.disconnect();
  return list.split("\n").filter((line) => line.includes(` name=${name} `)).length;
};

describe("healthReport on one connection", () => {
  it("opens no connection per call: the one named connection serves every check", async () => {
    const name = `${prefix}-conn`;
    const redis = redisAt(env.REDIS_URL, name);
    const report = () =>
      healthReport({ db: testDb.db, redis, queuePrefix: prefix, leases: leasesAt(redis), version: "1" });
    await report(); // connects PostgreSQL's pool and the Redis connection
    const opened = await socketsOpenedDuring(async () => {
      for (let i = 0; i < 10; i++) await report();
      await Promise.all(Array.from({ length: 20 }, report));
    });
    // Before: 4 connections per call, one BullMQ Queue per queue to count its workers.
    expect(opened).toBe(0);
    expect(await clientsNamed(name)).toBe(1);
  });

  it("counts a queue's workers as BullMQ does", async () => {
    const redis = redisAt(env.REDIS_URL);
    const worker = new Worker(QUEUE_NAMES.dsrErasure, async () => {}, workerOptions(env.REDIS_URL, prefix));
    worker.on("error", () => {});
    const queue = new Queue(QUEUE_NAMES.dsrErasure, { connection: redis, prefix });
    try {
      await worker.waitUntilReady();
      let report: Awaited<ReturnType<typeof healthReport>> | undefined;
      for (let i = 0; i < 50 && report?.workers?.[QUEUE_NAMES.dsrErasure] !== 1; i++) {
        report = await healthReport({
          db: testDb.db,
          redis,
          queuePrefix: prefix,
          leases: leasesAt(redis),
          version: "1",
        });
        if (report.workers?.[QUEUE_NAMES.dsrErasure] !== 1) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(report?.workers).toEqual({
        ...Object.fromEntries(Object.values(QUEUE_NAMES).map((name) => [name, 0])),
        [QUEUE_NAMES.dsrErasure]: await queue.getWorkersCount(),
      });
      expect(report?.workers?.[QUEUE_NAMES.dsrErasure]).toBe(1);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});

describe("cachedFor", () => {
  it("runs one computation for concurrent callers and answers from it within its time", async () => {
    let runs = 0;
    const redis = redisAt(env.REDIS_URL);
    const cached = cachedFor(300, () => {
      runs++;
      return healthReport({ db: testDb.db, redis, queuePrefix: prefix, leases: leasesAt(redis), version: "1" });
    });
    const first = await Promise.all(Array.from({ length: 25 }, cached));
    expect(runs).toBe(1);
    expect(new Set(first).size).toBe(1);
    expect(await cached()).toBe(first[0]);
    expect(runs).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const later = await cached();
    expect(runs).toBe(2);
    expect(later).not.toBe(first[0]);
    expect(later).toMatchObject({ status: "ok" });
  });

  it("retries after a computation that failed instead of keeping the failure", async () => {
    let runs = 0;
    const cached = cachedFor(10_000, async () => {
      runs++;
      if (runs === 1) throw new Error("first run fails");
      return runs;
    });
    await expect(Promise.all([cached(), cached()])).rejects.toThrow("first run fails");
    expect(await cached()).toBe(2);
    expect(await cached()).toBe(2);
  });
});

describe("who sees what", () => {
  it("shows anonymous callers only up or down, and the metrics token's holder everything", async () => {
    const redis = redisAt(env.REDIS_URL);
    const report = await healthReport({
      db: testDb.db,
      redis,
      queuePrefix: prefix,
      leases: leasesAt(redis),
      version: "9.9.9",
    });
    expect(healthView(report, false)).toEqual({ status: "ok" });
    expect(healthView(report, true)).toBe(report);
    const token = "a-metrics-token-of-32-characters";
    expect(presentsMetricsToken(`Bearer ${token}`, token)).toBe(true);
    expect(presentsMetricsToken(`bearer  ${token} `, token)).toBe(true);
    expect(presentsMetricsToken(`Bearer ${token}x`, token)).toBe(false);
    expect(presentsMetricsToken(token, token)).toBe(false);
    expect(presentsMetricsToken(null, token)).toBe(false);
    // No token configured (development): nobody gets the details this way.
    expect(presentsMetricsToken("Bearer anything", undefined)).toBe(false);
  });
});
