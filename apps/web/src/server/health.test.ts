import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { liveLeases, makeOrganization } from "@consentry/api/testing";
import { createDatabase, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import type { LeaseReader } from "@consentry/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthReport } from "./health";

// Real PostgreSQL and Redis, plus a port where nothing listens to stand for a dead service.
// Lease states live under a queue prefix of this run only, where no worker ever takes a lease.
const prefix = `test-health-${randomBytes(4).toString("hex")}`;

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let closedPort: number;
const clients: Redis[] = [];
const redisAt = (url: string) => {
  const client = new Redis(url, {
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
      redisUrl: env.REDIS_URL,
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
      redisUrl: env.REDIS_URL,
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
      redisUrl: deadRedis,
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
      redisUrl: env.REDIS_URL,
      queuePrefix: prefix,
      leases: liveLeases(dead.db, redis, prefix),
      version: "1",
      timeoutMs: 1000,
    });
    await dead.close();
    expect(report).toMatchObject({ status: "down", db: "down", redis: "up", down: ["db"], inference: null });
  });
});
