import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CameraSimulator, startCameraSimulator } from "@consentry/camera-sim";
import { makeAnalysedSite, makeOrganization } from "@consentry/core/testing";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import {
  producerOptions,
  QUEUE_NAMES,
  readHeartbeats,
  redisConnection,
  streamLeaseJobId,
  type WorkerHeartbeat,
} from "@consentry/queue";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { workerProcesses } from "./testing";

// Two real worker processes share two cameras' leases; SIGKILL the holder of the first and the
// other must hold every camera within 30 s, and no camera is ever analysed by both at once.
// Then a third starts and the survivor is stopped gracefully: it hands its leases over itself.

const prefix = `test-failover-${randomBytes(4).toString("hex")}`;
const storageDir = mkdtempSync(join(tmpdir(), "consentry-failover-"));
const redis = new Redis(redisConnection(env.REDIS_URL));
const workers = workerProcesses();
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let sim: CameraSimulator;
const cameraIds: string[] = [];

function startWorker() {
  return workers.start({
    DATABASE_URL: testDb.url,
    QUEUE_PREFIX: prefix,
    CONSENTRY_STORAGE_DIR: storageDir,
  });
}

const holders = (beats: WorkerHeartbeat[], cameraId: string) =>
  beats.filter((b) => b.cameras.some((c) => c.cameraId === cameraId));
const holdsAll = (beat: WorkerHeartbeat | undefined) =>
  cameraIds.every((id) => beat?.cameras.some((c) => c.cameraId === id));
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  sim = await startCameraSimulator({ count: 2, port: 0 });
  const orgId = (await makeOrganization(testDb.db)).id;
  const site = await makeAnalysedSite(testDb.db, orgId, {
    name: "Failover Plaza",
    cameras: ["Lobby", "Loading bay"].map((name, i) => ({ name, rtspUrl: sim.urlOf(i + 1) })),
  });
  cameraIds.push(...site.cameraIds);
}, 60_000);

afterAll(async () => {
  workers.killAll();
  await sim?.stop();
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, producerOptions(env.REDIS_URL, prefix));
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  await redis.quit();
  await testDb?.drop();
  await rm(storageDir, { recursive: true, force: true });
}, 60_000);

it("hands a killed worker's cameras to the other within 30 s, never one camera to two at once", {
  timeout: 150_000,
}, async () => {
  const processes = [startWorker(), startWorker()];
  const doubleHeld = new Set<string>();
  // A killed worker's last heartbeat lingers until its key expires; it holds nothing any more.
  const killed = new Set<number>();
  const sample = async () => {
    const beats = (await readHeartbeats(redis, prefix)).filter((beat) => !killed.has(beat.pid));
    for (const id of cameraIds) if (holders(beats, id).length > 1) doubleHeld.add(id);
    return beats;
  };
  const waitFor = async <T>(what: string, timeoutMs: number, check: (beats: WorkerHeartbeat[]) => T | undefined) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = check(await sample());
      if (found !== undefined) return found;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  };

  // Before the kill: two live worker processes, each with its own heartbeat, and every camera
  // held by exactly one of them.
  const before = await waitFor("both workers up and every camera held once", 90_000, (beats) =>
    beats.length === 2 && cameraIds.every((id) => holders(beats, id).length === 1) ? beats : undefined,
  );
  expect(new Set(before.map((beat) => beat.id)).size).toBe(2);
  expect(new Set(before.map((beat) => beat.pid)).size).toBe(2);
  for (const beat of before) expect(isAlive(beat.pid), `worker ${beat.pid} alive`).toBe(true);
  expect(processes.map((child) => child.exitCode)).toEqual([null, null]);
  const held = before.flatMap((beat) => beat.cameras.map((c) => c.cameraId)).sort();
  expect(held).toEqual([...cameraIds].sort());

  const victim = holders(before, cameraIds[0] as string)[0] as WorkerHeartbeat;
  const survivor = before.find((beat) => beat.pid !== victim.pid) as WorkerHeartbeat;
  // `npx tsx` runs node as a child: kill the very process whose heartbeat holds the lease.
  process.kill(victim.pid, "SIGKILL");
  killed.add(victim.pid);
  const killedAt = Date.now();
  const after = await waitFor("the survivor to hold every camera", 30_000, (beats) =>
    holdsAll(beats.find((beat) => beat.pid === survivor.pid)) ? beats : undefined,
  );
  expect(Date.now() - killedAt).toBeLessThan(30_000);
  expect(isAlive(victim.pid)).toBe(false);
  expect(isAlive(survivor.pid)).toBe(true);
  expect(after.map((beat) => beat.pid)).toEqual([survivor.pid]);
  expect(after[0]?.cameras.map((c) => c.cameraId).sort()).toEqual([...cameraIds].sort());
  // And it really analyses them: every camera's frames count up on the survivor.
  await waitFor("the survivor to analyse every camera", 30_000, (beats) => {
    const cameras = beats.find((beat) => beat.pid === survivor.pid)?.cameras ?? [];
    return cameraIds.every((id) => (cameras.find((c) => c.cameraId === id)?.framesAnalysed ?? 0) > 0) || undefined;
  });
  expect([...doubleHeld]).toEqual([]);
});

it("hands a gracefully stopped worker's cameras over itself, without waiting for its locks to expire", {
  timeout: 120_000,
}, async () => {
  const leaseQueue = new Queue(QUEUE_NAMES.streamAnalysis, producerOptions(env.REDIS_URL, prefix));
  const lease = (cameraId: string) => leaseQueue.getJob(streamLeaseJobId(cameraId));
  try {
    // A killed worker's last heartbeat lingers until its key expires: only live processes count.
    const beatsNow = async () => (await readHeartbeats(redis, prefix)).filter((beat) => isAlive(beat.pid));
    const until = async <T>(what: string, check: () => Promise<T | undefined>) => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        const found = await check();
        if (found !== undefined) return found;
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`timed out waiting for ${what}`);
    };
    const holder = await until("one worker holding every camera", async () =>
      (await beatsNow()).find((beat) => holdsAll(beat)),
    );
    // The previous test killed the holder of the first camera: its lease came over through BullMQ's stalled check.
    expect((await lease(cameraIds[0] as string))?.stalledCounter).toBeGreaterThan(0);
    const child = startWorker();
    const newcomer = await until("a second worker's heartbeat", async () =>
      (await beatsNow()).find((beat) => beat.pid !== holder.pid && beat.cameras.length === 0),
    );
    process.kill(holder.pid, "SIGTERM");
    await until("the newcomer to hold every camera", async () =>
      holdsAll((await beatsNow()).find((beat) => beat.pid === newcomer.pid)) ? true : undefined,
    );
    // Fresh lease jobs, queued by the stopping worker once its streams had stopped; none went stale.
    for (const id of cameraIds) {
      const job = await lease(id);
      expect(job?.stalledCounter).toBe(0);
      expect(job?.attemptsStarted).toBe(1);
    }
    await until("the stopped worker to exit", async () => (isAlive(holder.pid) ? undefined : true));
    expect(child.exitCode).toBeNull();
  } finally {
    await leaseQueue.close();
  }
});
