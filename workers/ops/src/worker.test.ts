import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { RETENTION_REPEAT } from "@consentry/core/retention";
import { temporaryStorage } from "@consentry/core/testing";
import { createDatabase, desc, eq, schema, sql } from "@consentry/db";
import { ensureAppLogin } from "@consentry/db/migrate";
import { appendAuditEntries, createTestDatabase, tamperWithAuditLog } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { countWorkers, JOBS, producerOptions, QUEUE_NAMES, redisConnection } from "@consentry/queue";
import { Queue, QueueEvents } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_CHAIN_ANCHOR } from "./processors/audit-chain-anchor";
import { AUDIT_CHAIN_VERIFY } from "./processors/audit-chain-verify";
import {
  AUDIT_CHAIN_ANCHOR_REPEAT,
  AUDIT_CHAIN_ANCHOR_SCHEDULER_ID,
  AUDIT_CHAIN_VERIFY_EVERY_MS,
  AUDIT_CHAIN_VERIFY_SCHEDULER_ID,
  CAMERA_PROBE_SWEEP,
  CAMERA_PROBE_SWEEP_SCHEDULER_ID,
  JOB_RECONCILE_EVERY_MS,
  JOB_RECONCILE_SCHEDULER_ID,
  type OpsWorker,
  OUTBOX_RELAY_EVERY_MS,
  OUTBOX_RELAY_SCHEDULER_ID,
  RETENTION_SCHEDULER_ID,
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
/** The worker connects as the application's role, as in production: it owns no table. */
let appDb: ReturnType<typeof createDatabase>;
let ops: OpsWorker;
let queue: Queue;
let queueEvents: QueueEvents;
const storage = temporaryStorage();

beforeAll(async () => {
  testDb = await createTestDatabase();
  appDb = createDatabase(await ensureAppLogin(testDb.url), { applicationName: "consentry-test-ops", max: 4 });
  ops = startOpsWorker({ db: appDb.db, redisUrl, prefix, logger, storage });
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
    () => appDb?.close(),
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
      [QUEUE_NAMES.notifications]: 1,
      // The inference worker's queues.
      [QUEUE_NAMES.enrolment]: 0,
      [QUEUE_NAMES.streamAnalysis]: 0,
    });
  });

  it("registers the hourly audit-chain verification, the daily anchor, the camera probe sweep, the outbox jobs and retention", async () => {
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers).toHaveLength(7);
    expect(schedulers).toContainEqual(
      expect.objectContaining({
        key: RETENTION_SCHEDULER_ID,
        pattern: RETENTION_REPEAT.pattern,
        tz: RETENTION_REPEAT.tz,
      }),
    );
    expect(schedulers).toContainEqual(
      expect.objectContaining({ key: OUTBOX_RELAY_SCHEDULER_ID, every: OUTBOX_RELAY_EVERY_MS }),
    );
    expect(schedulers).toContainEqual(
      expect.objectContaining({ key: JOB_RECONCILE_SCHEDULER_ID, every: JOB_RECONCILE_EVERY_MS }),
    );
    expect(schedulers).toContainEqual(
      expect.objectContaining({
        key: AUDIT_CHAIN_ANCHOR_SCHEDULER_ID,
        name: AUDIT_CHAIN_ANCHOR,
        pattern: AUDIT_CHAIN_ANCHOR_REPEAT.pattern,
        tz: AUDIT_CHAIN_ANCHOR_REPEAT.tz,
      }),
    );
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

  it("verifies an intact chain, returns the verdict and anchors the new head", async () => {
    const written = await appendAuditEntries(testDb.db, 5);
    const job = await queue.add(AUDIT_CHAIN_VERIFY, {});
    await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).resolves.toEqual({
      ok: true,
      checked: written.length,
      headId: written.at(-1)?.id,
      headHash: written.at(-1)?.hash,
      anchors: 0,
      breaks: [],
      breakCount: 0,
      openBreaks: 0,
    });
    expect(logs.find((l) => l.jobId === job.id && l.msg === "audit chain intact")).toMatchObject({
      level: 30,
      checked: written.length,
    });
    const anchors = await testDb.db.select().from(schema.auditAnchors);
    expect(anchors).toMatchObject([{ headId: written.at(-1)?.id, headHash: written.at(-1)?.hash, keyId: "dev1" }]);
    expect(logs.find((l) => l.jobId === job.id && l.msg === "audit chain anchored")).toMatchObject({
      anchorId: anchors[0]?.id,
      signature: anchors[0]?.signature,
    });
    // Verified again with no new entry: the head has not moved, so no second anchor.
    const again = await queue.add(AUDIT_CHAIN_VERIFY, {});
    await expect(again.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).resolves.toMatchObject({ ok: true, anchors: 1 });
    expect(await testDb.db.$count(schema.auditAnchors)).toBe(1);
  });

  it("the daily anchor job stores the signed head even when it has not moved", async () => {
    const job = await queue.add(AUDIT_CHAIN_ANCHOR, {});
    const result = await job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS);
    const [latest] = await testDb.db.select().from(schema.auditAnchors).orderBy(desc(schema.auditAnchors.id)).limit(1);
    expect(result).toEqual({ verdict: expect.objectContaining({ ok: true, anchors: 1 }), anchorId: latest?.id });
    expect(await testDb.db.$count(schema.auditAnchors)).toBe(2);
  });

  it("names the tampered row when the chain is broken, and logs it as an error", async () => {
    const [, , third] = await testDb.db.execute<{ id: string }>(sql`select id from audit_log order by id`);
    const tamperedId = Number(third?.id);
    await tamperWithAuditLog(
      testDb.db,
      sql`update audit_log set details = '{"name":"Forged"}' where id = ${tamperedId}`,
    );

    const job = await queue.add(AUDIT_CHAIN_VERIFY, {});
    // Every entry is walked and every break listed (issue #14); the first is named as before.
    await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).resolves.toMatchObject({
      ok: false,
      checked: 5,
      brokenAtId: tamperedId,
      reason: "hash_mismatch",
      breaks: [{ id: tamperedId, reason: "hash_mismatch" }],
      breakCount: 1,
      openBreaks: 1,
    });
    expect(logs.find((l) => l.jobId === job.id && l.msg === "audit chain broken")).toMatchObject({
      level: 50,
      brokenAtId: tamperedId,
      reason: "hash_mismatch",
    });
    const [check] = await testDb.db
      .select()
      .from(schema.auditChainChecks)
      .orderBy(desc(schema.auditChainChecks.id))
      .limit(1);
    expect(check).toMatchObject({ ok: false, brokenAtId: tamperedId, reason: "hash_mismatch", breakCount: 1 });
  });

  it("never anchors a broken chain", async () => {
    const before = await testDb.db.$count(schema.auditAnchors);
    const job = await queue.add(AUDIT_CHAIN_ANCHOR, {});
    await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).resolves.toMatchObject({
      verdict: { ok: false, reason: "hash_mismatch" },
      anchorId: null,
    });
    expect(await testDb.db.$count(schema.auditAnchors)).toBe(before);
  });

  it("catches a deleted tail through the anchors", async () => {
    const [latest] = await testDb.db.select().from(schema.auditAnchors).orderBy(desc(schema.auditAnchors.id)).limit(1);
    // Repair the edited entry's content first, so only the deletion remains.
    await tamperWithAuditLog(
      testDb.db,
      sql`update audit_log set details = '{"name":"Site 2","nested":{"a":[1,"二"],"b":2}}' where target_id = 'site-2'`,
    );
    await tamperWithAuditLog(testDb.db, sql`delete from audit_log where id = ${latest?.headId}`);
    const job = await queue.add(AUDIT_CHAIN_VERIFY, {});
    await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).resolves.toMatchObject({
      ok: false,
      brokenAtId: latest?.headId,
      reason: "anchored_entry_missing",
    });
  });

  it("runs retention as the application's role: expired sessions go, the run is reported and audited", async () => {
    const [user] = await testDb.db
      .insert(schema.users)
      .values({
        id: randomBytes(8).toString("hex"),
        name: "Staff",
        email: `${randomBytes(4).toString("hex")}@example.cn`,
      })
      .returning({ id: schema.users.id });
    await testDb.db.insert(schema.sessions).values([
      {
        id: randomBytes(8).toString("hex"),
        token: randomBytes(16).toString("hex"),
        userId: user?.id as string,
        expiresAt: new Date(Date.now() - 60_000),
      },
      {
        id: randomBytes(8).toString("hex"),
        token: randomBytes(16).toString("hex"),
        userId: user?.id as string,
        expiresAt: new Date(Date.now() + 3_600_000),
      },
    ]);
    const job = await JOBS.retention.add(queue, {});
    const result = await job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS);
    expect(result).toMatchObject({ runId: expect.any(String), totals: { sessions: 1 } });
    expect(await testDb.db.$count(schema.sessions, eq(schema.sessions.userId, user?.id as string))).toBe(1);
    const [run] = await testDb.db.select().from(schema.retentionRuns).where(eq(schema.retentionRuns.id, result.runId));
    expect(run).toMatchObject({ status: "completed", counts: { "*": { sessions: 1 } } });
    expect(await testDb.db.$count(schema.auditLog, eq(schema.auditLog.targetId, result.runId))).toBe(1);
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
      [QUEUE_NAMES.notifications]: 0,
      // The inference worker's queues.
      [QUEUE_NAMES.enrolment]: 0,
      [QUEUE_NAMES.streamAnalysis]: 0,
    });
  });
});
