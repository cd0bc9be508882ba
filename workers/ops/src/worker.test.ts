import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { temporaryStorage } from "@consentry/core/testing";
import { sql } from "@consentry/db";
import { appendAuditEntries, createTestDatabase, tamperWithAuditLog } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { countWorkers, producerOptions, QUEUE_NAMES, redisConnection } from "@consentry/queue";
import { Queue, QueueEvents } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_CHAIN_VERIFY } from "./processors/audit-chain-verify";
import {
  AUDIT_CHAIN_VERIFY_EVERY_MS,
  AUDIT_CHAIN_VERIFY_SCHEDULER_ID,
  CAMERA_PROBE_SWEEP,
  CAMERA_PROBE_SWEEP_SCHEDULER_ID,
  type OpsWorker,
  startOpsWorker,
} from "./worker";

// Real Redis and Postgres. A private key prefix keeps parallel or crashed runs apart.
const redisUrl = env.REDIS_URL;
const prefix = `test-ops-${randomBytes(6).toString("hex")}`;
const JOB_TIMEOUT_MS = 10_000;

type LogLine = { level: number; msg: string; jobId?: string; [key: string]: unknown };
const logs: LogLine[] = [];
const logger = pino({ level: "debug" }, { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let ops: OpsWorker;
let queue: Queue;
let queueEvents: QueueEvents;
const storage = temporaryStorage();

beforeAll(async () => {
  testDb = await createTestDatabase();
  ops = startOpsWorker({ db: testDb.db, redisUrl, prefix, logger, storage });
  queue = new Queue(QUEUE_NAMES.ops, producerOptions(redisUrl, prefix));
  queueEvents = new QueueEvents(QUEUE_NAMES.ops, { connection: redisConnection(redisUrl), prefix });
  await Promise.all([ops.ready, queue.waitUntilReady(), queueEvents.waitUntilReady()]);
}, 60_000);

afterAll(async () => {
  // Every step runs even if an earlier one fails; the first failure is reported at the end.
  const steps: (() => Promise<unknown> | undefined)[] = [
    () => ops?.close(),
    () => queueEvents?.close(),
    () => queue?.obliterate({ force: true }),
    () => queue?.close(),
    () => testDb?.drop(),
    () => rm(storage.root, { recursive: true, force: true }),
  ];
  const errors: unknown[] = [];
  for (const step of steps) await Promise.resolve(step()).catch((e: unknown) => errors.push(e));
  if (errors.length) throw errors[0];
}, 30_000);

describe("ops worker", { timeout: 20_000 }, () => {
  it("registers as one worker on each of its queues", async () => {
    expect(await countWorkers(redisUrl, prefix)).toEqual({
      [QUEUE_NAMES.ops]: 1,
      [QUEUE_NAMES.cameraProbe]: 1,
      [QUEUE_NAMES.dsrErasure]: 1,
      // The inference worker's queues.
      [QUEUE_NAMES.enrolment]: 0,
      [QUEUE_NAMES.streamAnalysis]: 0,
    });
  });

  it("registers the hourly audit-chain verification and the camera probe sweep", async () => {
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(3);
    expect(schedulers).toContainEqual(
      expect.objectContaining({
        key: AUDIT_CHAIN_VERIFY_SCHEDULER_ID,
        name: AUDIT_CHAIN_VERIFY,
        every: AUDIT_CHAIN_VERIFY_EVERY_MS,
      }),
    );
    expect(schedulers).toContainEqual(
      expect.objectContaining({ key: CAMERA_PROBE_SWEEP_SCHEDULER_ID, name: CAMERA_PROBE_SWEEP }),
    );
  });

  it("verifies an intact chain and returns the verdict", async () => {
    const written = await appendAuditEntries(testDb.db, 5);
    const job = await queue.add(AUDIT_CHAIN_VERIFY, {});
    await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).resolves.toEqual({
      ok: true,
      checked: written.length,
      headHash: written.at(-1)?.hash,
    });
    expect(logs.find((l) => l.jobId === job.id && l.msg === "audit chain intact")).toMatchObject({
      level: 30,
      checked: written.length,
    });
  });

  it("names the tampered row when the chain is broken, and logs it as an error", async () => {
    const [, , third] = await testDb.db.execute<{ id: string }>(sql`select id from audit_log order by id`);
    const tamperedId = Number(third?.id);
    await tamperWithAuditLog(
      testDb.db,
      sql`update audit_log set details = '{"name":"Forged"}' where id = ${tamperedId}`,
    );

    const job = await queue.add(AUDIT_CHAIN_VERIFY, {});
    await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).resolves.toEqual({
      ok: false,
      checked: 2,
      brokenAtId: tamperedId,
      reason: "hash_mismatch",
    });
    expect(logs.find((l) => l.jobId === job.id && l.msg === "audit chain broken")).toMatchObject({
      level: 50,
      brokenAtId: tamperedId,
      reason: "hash_mismatch",
    });
  });

  it("fails an invalid payload at once, without retries", async () => {
    const job = await queue.add(AUDIT_CHAIN_VERIFY, { unexpected: true }, { attempts: 3 });
    await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).rejects.toThrow(/invalid payload/);
    const failed = await queue.getJob(String(job.id));
    expect(await failed?.getState()).toBe("failed");
    expect(failed?.attemptsMade).toBe(1);
    expect(failed?.failedReason).toMatch(/invalid payload for audit-chain-verify: .*unexpected/);
  });

  it("fails an unknown job name at once, without retries", async () => {
    const job = await queue.add("no-such-job", {}, { attempts: 3 });
    await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).rejects.toThrow(/unknown job name "no-such-job"/);
    const failed = await queue.getJob(String(job.id));
    expect(await failed?.getState()).toBe("failed");
    expect(failed?.attemptsMade).toBe(1);
  });

  it("close() detaches the worker", async () => {
    await ops.close();
    expect(ops.worker.isRunning()).toBe(false);
    expect(ops.erasureWorker.isRunning()).toBe(false);
    expect(await countWorkers(redisUrl, prefix)).toEqual({
      [QUEUE_NAMES.ops]: 0,
      [QUEUE_NAMES.cameraProbe]: 0,
      [QUEUE_NAMES.dsrErasure]: 0,
      // The inference worker's queues.
      [QUEUE_NAMES.enrolment]: 0,
      [QUEUE_NAMES.streamAnalysis]: 0,
    });
  });
});
