import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { callerFor, makeOrganization, makePrincipal, recordingJobs } from "@consentry/api/testing";
import { type CameraSimulator, startCameraSimulator } from "@consentry/camera-sim";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { producerOptions, QUEUE_NAMES, readHeartbeats, redisConnection, type WorkerHeartbeat } from "@consentry/queue";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, expect, it } from "vitest";

// Two real worker processes share one camera's lease; SIGKILL the holder and the other must take
// the camera over within 30 s, and the camera is never analysed by both at once.

const prefix = `test-failover-${randomBytes(4).toString("hex")}`;
const storageDir = mkdtempSync(join(tmpdir(), "consentry-failover-"));
const redis = new Redis(redisConnection(env.REDIS_URL));
const workers: ChildProcess[] = [];
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let sim: CameraSimulator;
let cameraId: string;

function startWorker() {
  const child = spawn("npx", ["tsx", "src/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    env: {
      // biome-ignore lint/style/noProcessEnv: the child needs PATH and the rest of the test's environment
      ...process.env,
      DATABASE_URL: testDb.url,
      QUEUE_PREFIX: prefix,
      CONSENTRY_STORAGE_DIR: storageDir,
      INFERENCE_MAX_CAMERAS: "2",
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
  });
  workers.push(child);
  return child;
}

const holders = (beats: WorkerHeartbeat[]) => beats.filter((b) => b.cameras.some((c) => c.cameraId === cameraId));

beforeAll(async () => {
  testDb = await createTestDatabase();
  sim = await startCameraSimulator({ count: 1, port: 0 });
  const orgId = (await makeOrganization(testDb.db)).id;
  const api = callerFor(
    testDb.db,
    await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] }),
    recordingJobs(),
  );
  const site = await api.sites.create({
    orgId,
    name: "Failover Plaza",
    address: "2 Road",
    regionCode: "310101",
    kind: "office",
    templateRetentionDays: 365,
  });
  await api.assessments.create({
    orgId,
    siteId: site.id,
    scope: "All",
    approver: "DPO",
    documentSha256: "f".repeat(64),
    completedAt: new Date(),
    nextReviewAt: null,
  });
  cameraId = (
    await api.cameras.create({
      orgId,
      name: "Lobby",
      siteId: site.id,
      entryPointId: null,
      locationType: "entrance",
      frEnabled: true,
      analysisFps: 2,
      rtspUrl: sim.urlOf(1),
    })
  ).id;
}, 60_000);

afterAll(async () => {
  for (const child of workers) child.kill("SIGKILL");
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

it("hands a killed worker's camera to another within 30 s, never to two at once", { timeout: 120_000 }, async () => {
  const processes = [startWorker(), startWorker()];
  let doubleHeld = false;
  // A killed worker's last heartbeat lingers until its key expires; it holds nothing any more.
  const killed = new Set<number>();
  const sample = async () => {
    const beats = (await readHeartbeats(redis, prefix)).filter((beat) => !killed.has(beat.pid));
    if (holders(beats).length > 1) doubleHeld = true;
    return beats;
  };
  const waitForHolder = async (timeoutMs: number, notPid?: number) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const holder = holders(await sample()).find((beat) => beat.pid !== notPid);
      if (holder) return holder;
      await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`no worker took the camera within ${timeoutMs} ms`);
  };

  const first = await waitForHolder(60_000);
  // `npx tsx` runs node as a child: kill the whole process whose heartbeat holds the lease.
  process.kill(first.pid, "SIGKILL");
  killed.add(first.pid);
  const killedAt = Date.now();
  const second = await waitForHolder(30_000, first.pid);
  expect(Date.now() - killedAt).toBeLessThan(30_000);
  expect(second.pid).not.toBe(first.pid);
  expect(processes.length).toBe(2);
  expect(doubleHeld).toBe(false);
});
