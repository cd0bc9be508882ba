import { createServer } from "node:net";
import { createDatabase } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthReport } from "./health";

// Real PostgreSQL and Redis, plus a port where nothing listens to stand for a dead service.

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

beforeAll(async () => {
  testDb = await createTestDatabase();
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
  it("is ok when PostgreSQL and Redis answer", async () => {
    const report = await healthReport({
      db: testDb.db,
      redis: redisAt(env.REDIS_URL),
      redisUrl: env.REDIS_URL,
      version: "9.9.9",
    });
    expect(report).toMatchObject({ status: "ok", db: "up", redis: "up", version: "9.9.9" });
    expect(report).not.toHaveProperty("down");
    expect(report.workers).toEqual(expect.objectContaining({ ops: expect.any(Number) }));
  });

  it("names Redis when it is down", async () => {
    const deadRedis = `redis://127.0.0.1:${closedPort}`;
    const report = await healthReport({
      db: testDb.db,
      redis: redisAt(deadRedis),
      redisUrl: deadRedis,
      version: "1",
      timeoutMs: 1000,
    });
    expect(report).toMatchObject({ status: "down", db: "up", redis: "down", down: ["redis"], workers: null });
  });

  it("names PostgreSQL when it is down", async () => {
    const dead = createDatabase(`postgres://postgres@127.0.0.1:${closedPort}/nothing`, {
      applicationName: "health-test",
      max: 1,
    });
    const report = await healthReport({
      db: dead.db,
      redis: redisAt(env.REDIS_URL),
      redisUrl: env.REDIS_URL,
      version: "1",
      timeoutMs: 1000,
    });
    await dead.close();
    expect(report).toMatchObject({ status: "down", db: "down", redis: "up", down: ["db"] });
  });
});
