import { randomBytes, randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import { addToOutbox, reconcileJobs, relayOutbox, stuckOutboxRows } from "@consentry/core/dsr";
import { approveRequest } from "@consentry/core/requests";
import { createSite } from "@consentry/core/sites";
import { createSubject, giveConsent, withdrawConsent } from "@consentry/core/subjects";
import {
  makeOrganization,
  makeTemplates,
  recognitionConsent,
  TEST_ACTOR,
  temporaryStorage,
} from "@consentry/core/testing";
import { consentFields, siteFields, subjectFields } from "@consentry/core/validators";
import { encryptString } from "@consentry/crypto";
import { eq, inArray, schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import {
  createJobProducer,
  ERASURE_BACKOFF,
  ERASURE_MAX_STALLED_COUNT,
  erasureWorkerOptions,
  JOBS,
  producerOptions,
  QUEUE_NAMES,
  redisConnection,
  stuckErasureJobs,
} from "@consentry/queue";
import { Queue, QueueEvents, Worker } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dsrErasureProcessor } from "./processors/dsr-erasure";
import { type OpsWorker, startOpsWorker } from "./worker";

// The transactional outbox end to end (issue #14): real PostgreSQL and Redis (private prefix).
// "Redis down" is a producer pointed at a port nothing listens on, exactly what the web app sees.

const redisUrl = env.REDIS_URL;
const DEAD_REDIS = "redis://127.0.0.1:1";
const prefix = `test-outbox-${randomBytes(6).toString("hex")}`;
const { consents, dsrRequests, faceTemplates, jobOutbox } = schema;

const storage = temporaryStorage();
const deadJobs = createJobProducer(DEAD_REDIS, prefix, { timeoutMs: 300 });
const liveJobs = createJobProducer(redisUrl, prefix);
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let ops: OpsWorker | undefined;
let erasureQueue: Queue;
let enrolmentQueue: Queue;
let queueEvents: QueueEvents;
let orgId: string;
let siteId: string;
const deps = () => ({ db: testDb.db, actor: TEST_ACTOR, orgId });

async function person(displayName: string) {
  const { id: subjectId } = await createSubject(
    deps(),
    subjectFields.parse({ displayName, contact: null, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps(), consentFields.parse(recognitionConsent(subjectId, siteId)));
  const templateIds = await makeTemplates(testDb.db, { orgId, subjectId, siteId, consentId: consent.id }, 2);
  return { subjectId, consentId: consent.id, templateIds };
}

async function deletionRequest(subjectId: string, status: "open" | "approved") {
  const [request] = await testDb.db
    .insert(dsrRequests)
    .values({
      orgId,
      siteId,
      subjectId,
      type: "deletion",
      referenceCode: `R-${randomBytes(5).toString("hex").toUpperCase()}`,
      contactEnc: encryptString("{}", "dsr_requests.contact"),
      contactHash: "h".repeat(64),
      verifiedAt: new Date(),
      status,
    })
    .returning({ id: dsrRequests.id });
  return request?.id as string;
}

const outboxRows = (jobId: string) => testDb.db.select().from(jobOutbox).where(eq(jobOutbox.jobId, jobId));

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const requestStatus = async (requestId: string) =>
  (await testDb.db.select().from(dsrRequests).where(eq(dsrRequests.id, requestId)))[0];

function startOps() {
  if (ops) return ops.ready;
  ops = startOpsWorker({
    db: testDb.db,
    redisUrl,
    prefix,
    logger: pino({ level: "silent" }),
    storage,
    outboxRelayEveryMs: 300,
    reconcileEveryMs: 1_000,
  });
  return ops.ready;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  siteId = (
    await createSite(
      deps(),
      siteFields.parse({
        name: "Outbox Court",
        address: "3 Road",
        regionCode: "310101",
        kind: "residential",
        templateRetentionDays: 365,
      }),
    )
  ).id;
  erasureQueue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redisUrl, prefix));
  enrolmentQueue = new Queue(QUEUE_NAMES.enrolment, producerOptions(redisUrl, prefix));
  queueEvents = new QueueEvents(QUEUE_NAMES.dsrErasure, { connection: redisConnection(redisUrl), prefix });
  await Promise.all([erasureQueue.waitUntilReady(), enrolmentQueue.waitUntilReady(), queueEvents.waitUntilReady()]);
}, 60_000);

afterAll(async () => {
  const steps: (() => Promise<unknown> | undefined)[] = [
    () => ops?.close(),
    () => queueEvents?.close(),
    () => erasureQueue?.obliterate({ force: true }),
    () => enrolmentQueue?.obliterate({ force: true }),
    () => new Queue(QUEUE_NAMES.ops, producerOptions(redisUrl, prefix)).obliterate({ force: true }),
    () => erasureQueue?.close(),
    () => enrolmentQueue?.close(),
    () => deadJobs.close(),
    () => liveJobs.close(),
    () => testDb?.drop(),
    () => rm(storage.root, { recursive: true, force: true }),
  ];
  const errors: unknown[] = [];
  for (const step of steps) await Promise.resolve(step()).catch((e: unknown) => errors.push(e));
  if (errors.length) throw errors[0];
}, 30_000);

describe("transactional outbox", { timeout: 40_000 }, () => {
  it("approves a deletion while Redis is down; the relay queues the erasure once Redis answers", async () => {
    const { subjectId } = await person("Qian Yu");
    const requestId = await deletionRequest(subjectId, "open");

    // Before the outbox: a 500 here, the request approved with no job, and a 409 on the retry.
    expect(await approveRequest({ ...deps(), jobs: deadJobs }, { requestId })).toEqual({
      id: requestId,
      status: "approved",
    });
    const [pending] = await outboxRows(`erasure-${requestId}`);
    expect(pending).toMatchObject({ kind: "erase", payload: { requestId }, enqueuedAt: null, attempts: 1 });
    expect(pending?.lastError).toMatch(/Redis did not answer/);
    expect(await erasureQueue.getJob(`erasure-${requestId}`)).toBeUndefined();
    const stuck = await stuckOutboxRows(testDb.db, { olderThanMs: 0 });
    const reference = (await requestStatus(requestId))?.referenceCode;
    expect(stuck.rows).toContainEqual(
      expect.objectContaining({ kind: "erase", referenceCode: reference, attempts: 1 }),
    );

    // "Redis back": the ops worker's relay hands the row over, the erasure runs, the certificate is issued.
    await startOps();
    const done = await until(
      () => requestStatus(requestId),
      (request) => request?.status === "completed",
      "the erasure",
    );
    expect(done?.certificate).toBeTruthy();
    const [relayed] = await outboxRows(`erasure-${requestId}`);
    expect(relayed?.enqueuedAt).toBeInstanceOf(Date);
    expect(await testDb.db.select().from(faceTemplates).where(eq(faceTemplates.subjectId, subjectId))).toEqual([]);
  });

  it("queues a withdrawal's template deletion through the outbox, Redis down at the time", async () => {
    const { consentId, templateIds } = await person("Zhou Wen");
    const withdrawn = await withdrawConsent({ ...deps(), jobs: deadJobs }, { consentId, reason: "Moved out" });
    expect(withdrawn).toEqual({ templatesQueuedForDeletion: 2, deletionQueued: false });
    await until(
      () => testDb.db.select().from(faceTemplates).where(inArray(faceTemplates.id, templateIds)),
      (rows) => rows.length === 0,
      "the template deletion",
    );
    const [row] = await outboxRows(`template-deletion-${consentId}`);
    expect(row).toMatchObject({ kind: "deleteTemplates", payload: { templateIds } });
    expect(row?.enqueuedAt).toBeInstanceOf(Date);
  });

  it("adds one job however often a row is relayed", async () => {
    const enrolmentId = randomUUID(); // no enrolment worker here: the job stays waiting, to be counted
    const [id] = await addToOutbox(testDb.db, [{ kind: "enrol", payload: { enrolmentId } }]);
    // Two relays at once (this one and the ops worker's), then again as if the mark had been lost.
    await Promise.all([relayOutbox({ db: testDb.db, jobs: liveJobs }), relayOutbox({ db: testDb.db, jobs: liveJobs })]);
    await until(
      () => outboxRows(`enrolment-${enrolmentId}`),
      (rows) => rows[0]?.enqueuedAt != null,
      "the relay",
    );
    await testDb.db
      .update(jobOutbox)
      .set({ enqueuedAt: null })
      .where(eq(jobOutbox.id, id as string));
    await relayOutbox({ db: testDb.db, jobs: liveJobs });
    const jobs = await enrolmentQueue.getJobs(["waiting", "active", "delayed", "completed", "failed"]);
    expect(jobs.filter((job) => job.data.enrolmentId === enrolmentId).map((job) => job.id)).toEqual([
      `enrolment-${enrolmentId}`,
    ]);
  });

  it("re-queues an approved request whose erasure job vanished, and leaves a live one alone", async () => {
    const { subjectId } = await person("Wu Fang");
    const requestId = await deletionRequest(subjectId, "approved"); // approved, but its job is gone
    const done = await until(
      () => requestStatus(requestId),
      (request) => request?.status === "completed",
      "the reconciled erasure",
    );
    expect(done?.certificate).toBeTruthy();

    const live = await deletionRequest((await person("Zheng Hao")).subjectId, "approved");
    expect(
      await reconcileJobs({ db: testDb.db, jobExists: async (_kind, jobId) => jobId === `erasure-${live}` }),
    ).toMatchObject({ erasures: 0 });
  });

  it("re-queues withdrawn templates left without a deletion job", async () => {
    const { consentId, templateIds } = await person("Lin Mei");
    const longAgo = new Date(Date.now() - 3_600_000);
    await testDb.db.update(consents).set({ withdrawnAt: longAgo }).where(eq(consents.id, consentId));
    await testDb.db
      .update(faceTemplates)
      .set({ deletionQueuedAt: longAgo })
      .where(inArray(faceTemplates.id, templateIds));
    await until(
      () => testDb.db.select().from(faceTemplates).where(inArray(faceTemplates.id, templateIds)),
      (rows) => rows.length === 0,
      "the reconciled template deletion",
    );
  });

  it("re-queues a withdrawn consent whose photos were left behind, and certifies their deletion", async () => {
    // What withdrawals did before photos were deleted: 0 templates, 1 photo row and its file left.
    const { subjectId, consentId, templateIds } = await person("Xu Lan");
    const longAgo = new Date(Date.now() - 3_600_000);
    await testDb.db.update(consents).set({ withdrawnAt: longAgo }).where(eq(consents.id, consentId));
    await testDb.db.delete(faceTemplates).where(inArray(faceTemplates.id, templateIds));
    const [enrolment] = await testDb.db
      .insert(schema.enrolments)
      .values({ orgId, subjectId, siteId, consentId, status: "done" })
      .returning({ id: schema.enrolments.id });
    const { key } = await storage.put("enrolment-photo", randomBytes(64), "bin");
    await testDb.db
      .insert(schema.enrolmentPhotos)
      .values({ enrolmentId: enrolment?.id as string, subjectId, position: 0, storageKey: key });
    await startOps();
    const [certified] = await until(
      () => testDb.db.select().from(consents).where(eq(consents.id, consentId)),
      (rows) => rows[0]?.withdrawalCertificateSha256 != null,
      "the reconciled withdrawal's certificate",
    );
    expect(certified?.withdrawalCertificate).toMatchObject({
      items: { templates: 0, enrolmentPhotos: 1, photoFiles: 1 },
    });
    expect(
      await testDb.db.select().from(schema.enrolmentPhotos).where(eq(schema.enrolmentPhotos.subjectId, subjectId)),
    ).toEqual([]);
    await expect(storage.read(key)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("re-queues an enrolment left queued without its job, and leaves a recent or finished one alone", async () => {
    const { subjectId, consentId } = await person("Guo Jing");
    const enrolment = async (status: "queued" | "processing" | "done", createdAt: Date) => {
      const [row] = await testDb.db
        .insert(schema.enrolments)
        .values({ orgId, subjectId, siteId, consentId, status, createdAt })
        .returning({ id: schema.enrolments.id });
      return row?.id as string;
    };
    const longAgo = new Date(Date.now() - 3_600_000);
    const stuck = await enrolment("processing", longAgo);
    const recent = await enrolment("queued", new Date());
    const finished = await enrolment("done", longAgo);
    // The ops worker's reconciler (every second here) finds it; no enrolment worker runs, so the job waits.
    await startOps();
    const job = await until(
      () => enrolmentQueue.getJob(`enrolment-${stuck}`),
      (found) => found !== undefined,
      "the reconciled enrolment",
    );
    expect(job?.data).toEqual({ enrolmentId: stuck });
    expect(await enrolmentQueue.getJob(`enrolment-${recent}`)).toBeUndefined();
    expect(await enrolmentQueue.getJob(`enrolment-${finished}`)).toBeUndefined();
    expect(await outboxRows(`enrolment-${stuck}`)).toHaveLength(1);
  });

  it("keeps retrying an erasure through a longer database outage, and survives many stalls", async () => {
    await startOps();
    expect(ops?.erasureWorker.opts.maxStalledCount).toBe(ERASURE_MAX_STALLED_COUNT);
    expect(ERASURE_MAX_STALLED_COUNT).toBeGreaterThanOrEqual(100);
    const { subjectId } = await person("He Jun");
    const requestId = await deletionRequest(subjectId, "open");
    // The database refuses this erasure's progress writes 8 times (more than the 5 attempts before).
    const sequence = `outbox_test_failures_${randomBytes(4).toString("hex")}`;
    await testDb.db.execute(sql.raw(`CREATE SEQUENCE ${sequence}`));
    await testDb.db.execute(
      sql.raw(`CREATE FUNCTION ${sequence}_fail() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.request_id = '${requestId}' AND nextval('${sequence}') <= 8 THEN
            RAISE EXCEPTION 'simulated database outage';
          END IF;
          RETURN NEW;
        END $$`),
    );
    await testDb.db.execute(
      sql.raw(
        `CREATE TRIGGER ${sequence}_trigger BEFORE UPDATE ON dsr_erasures FOR EACH ROW EXECUTE FUNCTION ${sequence}_fail()`,
      ),
    );
    try {
      // Queued as approval queues it, with the backoff shortened for the test (the worker's strategy
      // reads it); added before the approval so the reconciler never queues its own copy.
      const payload = { requestId };
      const job = await erasureQueue.add(JOBS.erasure.name, payload, {
        ...JOBS.erasure.optionsFor(payload),
        backoff: { ...ERASURE_BACKOFF, delay: 20 },
        delay: 300,
      });
      await testDb.db.update(dsrRequests).set({ status: "approved" }).where(eq(dsrRequests.id, requestId));
      // While it retries, the Workers page lists it with its request.
      const retrying = await until(
        () => stuckErasureJobs(redisUrl, prefix),
        (jobs) => jobs.some((stuck) => stuck.requestId === requestId && stuck.state === "retrying"),
        "the retrying erasure to be listed",
      );
      expect(retrying.find((stuck) => stuck.requestId === requestId)).toMatchObject({
        jobId: `erasure-${requestId}`,
        attempts: 30,
        // PostgreSQL's message only: drizzle's "Failed query: <SQL> params: <values>" never reaches Redis.
        failedReason: "database error P0001: simulated database outage",
      });
      const result = await job.waitUntilFinished(queueEvents, 30_000);
      expect(result).toMatchObject({ items: { templates: 2 } });
      // All eight refused attempts happened before the one that erased; the completed job (and
      // the record of its failures) is gone, so nothing of it stays in Redis.
      const [counter] = await testDb.db.execute<{ last_value: string }>(sql.raw(`SELECT last_value FROM ${sequence}`));
      expect(Number(counter?.last_value)).toBeGreaterThan(8);
      expect(await erasureQueue.getJob(`erasure-${requestId}`)).toBeUndefined();
      expect((await requestStatus(requestId))?.status).toBe("completed");
    } finally {
      await testDb.db.execute(sql.raw(`DROP TRIGGER ${sequence}_trigger ON dsr_erasures`));
    }
  });

  it("survives the worker crashing three times during one erasure", async () => {
    // Its own prefix, so the ops worker above never takes the job. Short locks stand in for the
    // 30 s default: a "crash" is a worker closed without finishing (its lock is never renewed).
    const crashPrefix = `${prefix}-crash`;
    const queue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redisUrl, crashPrefix));
    const options = { ...erasureWorkerOptions(redisUrl, crashPrefix), lockDuration: 400, stalledInterval: 200 };
    const workers: Worker[] = [];
    try {
      const requestId = await deletionRequest((await person("Guo Tao")).subjectId, "approved");
      await JOBS.erasure.add(queue, { requestId });
      for (let crash = 0; crash < 3; crash++) {
        let started: () => void = () => {};
        const running = new Promise<void>((resolve) => {
          started = resolve;
        });
        const crashing = new Worker(
          QUEUE_NAMES.dsrErasure,
          async () => {
            started();
            await new Promise(() => {}); // never finishes
          },
          options,
        );
        workers.push(crashing);
        await running;
        await crashing.close(true);
      }
      workers.push(
        new Worker(
          QUEUE_NAMES.dsrErasure,
          dsrErasureProcessor({
            db: testDb.db,
            storage,
            logger: pino({ level: "silent" }),
            galleryChanged: async () => {},
          }),
          options,
        ),
      );
      // Before: the second stall failed the job for good (maxStalledCount 1), with no certificate.
      const done = await until(
        () => requestStatus(requestId),
        (request) => request?.status === "completed",
        "the erasure after three crashes",
      );
      expect(done?.certificate).toBeTruthy();
    } finally {
      await Promise.allSettled(workers.map((worker) => worker.close(true)));
      await queue.obliterate({ force: true }).catch(() => {});
      await queue.close();
    }
  });
});
