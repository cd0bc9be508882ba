import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { type CameraSimulator, startCameraSimulator } from "@consentry/camera-sim";
import { makeAnalysedSite, makeOrganization } from "@consentry/core/testing";
import { createTestDatabase } from "@consentry/db/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { workerProcesses } from "./testing";

// Two real worker processes analyse two simulated cameras over a private redis-server, which is
// then restarted empty: every lease and its lock are gone while the streams run. Every 200 ms
// the test counts the ffmpeg processes reading each camera (from the process table, so no
// worker's own report is trusted): never two for one camera, and analysis resumes.

const run = promisify(execFile);
const storageDir = mkdtempSync(join(tmpdir(), "consentry-one-analyser-"));
const workers = workerProcesses();
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let sim: CameraSimulator;
let redisPort: number;
let redisServer: ChildProcess | undefined;
const cameras: { id: string; index: number }[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** A private, empty redis-server on `redisPort` (no persistence: a restart loses everything). */
async function startRedis() {
  const child = spawn(
    "redis-server",
    ["--bind", "127.0.0.1", "--port", String(redisPort), "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  child.once("exit", () => {
    if (redisServer === child) redisServer = undefined;
  });
  redisServer = child;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new Redis({ port: redisPort, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
    client.on("error", () => {});
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopRedis() {
  const child = redisServer;
  if (!child) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

function startWorker() {
  return workers.start({
    DATABASE_URL: testDb.url,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    CONSENTRY_STORAGE_DIR: storageDir,
  });
}

/** ffmpeg processes reading each camera's stream, by camera index. */
async function readers(): Promise<Map<number, number>> {
  const { stdout } = await run("ps", ["-eo", "args="]);
  const counts = new Map(cameras.map(({ index }) => [index, 0]));
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("ffmpeg") || !line.includes("rawvideo")) continue;
    const match = line.match(new RegExp(`-i rtsp://[^ ]*:${sim.port}/cam(\\d+)`));
    const index = Number(match?.[1]);
    if (counts.has(index)) counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

async function waitFor(what: string, timeoutMs: number, check: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  redisPort = await freePort();
  await startRedis();
  testDb = await createTestDatabase();
  sim = await startCameraSimulator({ count: 2, port: 0 });
  const orgId = (await makeOrganization(testDb.db)).id;
  const site = await makeAnalysedSite(testDb.db, orgId, {
    name: "Single Analyser Hall",
    cameras: ["North door", "South door"].map((name, i) => ({ name, rtspUrl: sim.urlOf(i + 1) })),
  });
  cameras.push(...site.cameraIds.map((id, i) => ({ id, index: i + 1 })));
}, 60_000);

afterAll(async () => {
  workers.killAll();
  await sim?.stop();
  await stopRedis();
  await testDb?.drop();
  await rm(storageDir, { recursive: true, force: true });
}, 60_000);

it("never has two ffmpeg readers on one camera when Redis restarts empty under running leases", {
  timeout: 180_000,
}, async () => {
  startWorker();
  startWorker();
  const most = new Map<number, number>();
  const sample = async () => {
    const counts = await readers();
    for (const [index, count] of counts) most.set(index, Math.max(most.get(index) ?? 0, count));
    return counts;
  };
  const everyCameraOnce = async () => [...(await sample()).values()].every((count) => count === 1);

  await waitFor("every camera read once", 90_000, everyCameraOnce);
  // Long enough for the leases to be settled and their locks renewed.
  for (const end = Date.now() + 3000; Date.now() < end; ) {
    await sample();
    await new Promise((r) => setTimeout(r, 200));
  }

  // Restarted empty, then emptied while up: every lease and lock gone, each time.
  const faults = [
    async () => {
      await stopRedis();
      await new Promise((r) => setTimeout(r, 1000));
      await startRedis();
    },
    async () => {
      const client = new Redis({ port: redisPort, host: "127.0.0.1" });
      await client.flushall();
      client.disconnect();
    },
  ];
  for (const fault of faults) {
    await fault();
    // The stale streams stop; leases are re-created by the workers' reconcile (every 10 s) and
    // taken by whichever worker has a free slot. Sampled through all of that, until every camera
    // has stopped and is read once again, then 3 s more.
    const stopped = new Set<number>();
    await waitFor("every camera stopped, then read once again", 60_000, async () => {
      const counts = await sample();
      for (const [index, count] of counts) if (count === 0) stopped.add(index);
      return stopped.size === cameras.length && [...counts.values()].every((count) => count === 1);
    });
    for (const end = Date.now() + 3000; Date.now() < end; ) {
      await sample();
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(Object.fromEntries(most)).toEqual(Object.fromEntries(cameras.map(({ index }) => [index, 1])));
    expect([...stopped].sort()).toEqual(cameras.map(({ index }) => index));
  }
  // The heartbeats carry the event writer's counters for /api/metrics: nothing dropped here.
  const client = new Redis({ port: redisPort, host: "127.0.0.1" });
  try {
    await waitFor("both heartbeats back", 15_000, async () => (await client.keys("*inference-workers:*")).length === 2);
    for (const key of await client.keys("*inference-workers:*")) {
      const beat = JSON.parse((await client.get(key)) ?? "{}");
      expect(beat.events, key).toMatchObject({ droppedBatches: 0, droppedEvents: 0 });
    }
  } finally {
    client.disconnect();
  }
});
