import { createHash, randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
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
import { and, canonicalJson, eq, inArray, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import {
  createJobProducer,
  type Invalidation,
  invalidationChannel,
  JOBS,
  producerOptions,
  QUEUE_NAMES,
  redisConnection,
} from "@consentry/queue";
import { completion } from "@consentry/queue/testing";
import { type Job, Queue, QueueEvents } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type OpsWorker, startOpsWorker } from "../worker";

// The dsr-erasure queue end to end: real Redis (private prefix), PostgreSQL and file store; jobs
// queued the way the API queues them, and the gallery invalidations the inference workers hear.

const redisUrl = env.REDIS_URL;
const prefix = `test-dsr-${randomBytes(6).toString("hex")}`;
const JOB_TIMEOUT_MS = 15_000;
const { consents, dsrRequests, enrolmentPhotos, enrolments, faceTemplates, recognitionEvents } = schema;

const storage = temporaryStorage();
const jobs = createJobProducer(redisUrl, prefix);
const subscriber = new Redis(redisConnection(redisUrl));
const redis = new Redis(redisConnection(redisUrl));
const invalidations: Invalidation[] = [];
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let ops: OpsWorker;
let queue: Queue;
let queueEvents: QueueEvents;
let orgId: string;
let siteId: string;
let cameraId: string;
const deps = () => ({ db: testDb.db, actor: TEST_ACTOR, orgId });

async function person(displayName: string) {
  const { id: subjectId } = await createSubject(
    deps(),
    subjectFields.parse({ displayName, contact: null, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps(), consentFields.parse(recognitionConsent(subjectId, siteId)));
  const templateIds = await makeTemplates(testDb.db, { orgId, subjectId, siteId, consentId: consent.id }, 2);
  const [enrolment] = await testDb.db
    .insert(enrolments)
    .values({ orgId, subjectId, siteId, consentId: consent.id, status: "done" })
    .returning({ id: enrolments.id });
  const enrolmentId = enrolment?.id as string;
  const { key } = await storage.put("enrolment-photo", randomBytes(128), "bin");
  await testDb.db
    .insert(enrolmentPhotos)
    .values({ enrolmentId: enrolment?.id as string, subjectId, position: 0, storageKey: key, status: "accepted" });
  await testDb.db.insert(recognitionEvents).values(
    Array.from({ length: 10 }, (_, i) => ({
      orgId,
      siteId,
      cameraId,
      subjectId,
      templateId: templateIds[i % 2],
      modelId: "fr_feature",
      at: new Date(),
      score: 0.7,
    })),
  );
  return { subjectId, consentId: consent.id, templateIds, photoKey: key, enrolmentId };
}

/** Entries of a queue's event stream that name one of these texts (a job id, a person's id). */
async function eventsNaming(client: Redis, keyPrefix: string, texts: readonly string[]) {
  const entries = await client.xrange(`${keyPrefix}:${QUEUE_NAMES.dsrErasure}:events`, "-", "+");
  return entries.filter(([, fields]) => texts.some((text) => fields.join(" ").includes(text)));
}

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function approvedDeletion(subjectId: string, status: "approved" | "open" = "approved") {
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

async function failedOnce(job: Job) {
  await expect(job.waitUntilFinished(queueEvents, JOB_TIMEOUT_MS)).rejects.toThrow();
  const failed = await queue.getJob(String(job.id));
  expect(await failed?.getState()).toBe("failed");
  expect(failed?.attemptsMade).toBe(1);
  return failed?.failedReason;
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  siteId = (
    await createSite(
      deps(),
      siteFields.parse({
        name: "Erasure Court",
        address: "2 Road",
        regionCode: "310101",
        kind: "residential",
        templateRetentionDays: 365,
      }),
    )
  ).id;
  const [camera] = await testDb.db
    .insert(schema.cameras)
    .values({
      orgId,
      siteId,
      name: "Lobby",
      rtspUrlEnc: encryptString("rtsp://10.0.0.2/lobby", "cameras.rtsp_url"),
      rtspUrlMasked: "rtsp://10.0.0.2/lobby",
      locationType: "entrance",
    })
    .returning({ id: schema.cameras.id });
  cameraId = camera?.id as string;

  subscriber.on("message", (_channel, message) => invalidations.push(JSON.parse(message) as Invalidation));
  await subscriber.subscribe(invalidationChannel(prefix));
  ops = startOpsWorker({ db: testDb.db, redisUrl, prefix, logger: pino({ level: "silent" }), storage });
  queue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redisUrl, prefix));
  queueEvents = new QueueEvents(QUEUE_NAMES.dsrErasure, { connection: redisConnection(redisUrl), prefix });
  await Promise.all([ops.ready, queue.waitUntilReady(), queueEvents.waitUntilReady()]);
}, 60_000);

afterAll(async () => {
  const steps: (() => Promise<unknown> | undefined)[] = [
    () => ops?.close(),
    () => queueEvents?.close(),
    () => queue?.obliterate({ force: true }),
    () => queue?.close(),
    () => jobs.close(),
    () => subscriber.quit(),
    () => redis.quit(),
    () => testDb?.drop(),
    () => rm(storage.root, { recursive: true, force: true }),
  ];
  const errors: unknown[] = [];
  for (const step of steps) await Promise.resolve(step()).catch((e: unknown) => errors.push(e));
  if (errors.length) throw errors[0];
}, 30_000);

describe("dsr-erasure queue", { timeout: 30_000 }, () => {
  it("erases the person of an approved request, issues the certificate and reloads the site's gallery", async () => {
    const { subjectId, photoKey } = await person("Sun Li");
    const requestId = await approvedDeletion(subjectId);
    invalidations.length = 0;

    const done = completion(ops.erasureWorker, `erasure-${requestId}`, JOB_TIMEOUT_MS);
    await jobs.erase(requestId);
    const result = (await done) as { sha256: string };

    expect(result).toMatchObject({
      items: { templates: 2, enrolmentPhotos: 1, photoFiles: 1, enrolments: 1, recognitionEvents: 10 },
      siteIds: [siteId],
    });
    const [request] = await testDb.db.select().from(dsrRequests).where(eq(dsrRequests.id, requestId));
    expect(request?.status).toBe("completed");
    expect(createHash("sha256").update(canonicalJson(request?.certificate)).digest("hex")).toBe(result.sha256);
    expect(await testDb.db.select().from(recognitionEvents).where(eq(recognitionEvents.subjectId, subjectId))).toEqual(
      [],
    );
    expect(await testDb.db.select().from(faceTemplates).where(eq(faceTemplates.subjectId, subjectId))).toEqual([]);
    await expect(storage.read(photoKey)).rejects.toMatchObject({ code: "ENOENT" });
    await waitFor(() => invalidations.length > 0, "a gallery invalidation");
    expect(invalidations).toEqual([{ type: "gallery", siteId }]);
    // A completed erasure leaves no job behind, nor an event naming it.
    expect(await queue.getJob(`erasure-${requestId}`)).toBeUndefined();
    await eventually(
      async () => (await eventsNaming(redis, prefix, [requestId, subjectId])).length === 0,
      "the erasure's events to be removed",
    );
  });

  it("a withdrawal leaves no template, photo row, file or event under the consent, and certifies it", async () => {
    const { subjectId, consentId, photoKey } = await person("Qian Yu");
    const jobId = `template-deletion-${consentId}`;
    const done = completion(ops.erasureWorker, jobId, JOB_TIMEOUT_MS);
    await withdrawConsent({ ...deps(), jobs }, { consentId, reason: "Moved away" });
    await expect(done).resolves.toEqual({ deleted: 2, siteIds: [siteId] });

    expect(await testDb.db.select().from(faceTemplates).where(eq(faceTemplates.subjectId, subjectId))).toEqual([]);
    expect(await testDb.db.select().from(enrolmentPhotos).where(eq(enrolmentPhotos.subjectId, subjectId))).toEqual([]);
    await expect(storage.read(photoKey)).rejects.toMatchObject({ code: "ENOENT" });
    expect(await testDb.db.select().from(recognitionEvents).where(eq(recognitionEvents.subjectId, subjectId))).toEqual(
      [],
    );
    const [consent] = await testDb.db.select().from(consents).where(eq(consents.id, consentId));
    expect(consent?.withdrawalCertificate).toMatchObject({
      kind: "withdrawal",
      items: { templates: 2, enrolmentPhotos: 1, photoFiles: 1, recognitionEvents: 10 },
    });
    expect(createHash("sha256").update(canonicalJson(consent?.withdrawalCertificate)).digest("hex")).toBe(
      consent?.withdrawalCertificateSha256,
    );
    // Its payload named the person: the completed job is gone, and so are its events (its id names the consent).
    expect(await queue.getJob(jobId)).toBeUndefined();
    await eventually(
      async () => (await eventsNaming(redis, prefix, [jobId, consentId, subjectId])).length === 0,
      "the template deletion's events to be removed",
    );
  });

  it("after a completed erasure no job, key or event in Redis names the person, their enrolment or the request", async () => {
    // An ops worker of its own (it gives the erasure Redis) on a prefix of its own.
    const reachPrefix = `${prefix}-reach`;
    const reach = startOpsWorker({
      db: testDb.db,
      redisUrl,
      prefix: reachPrefix,
      logger: pino({ level: "silent" }),
      storage,
      probeIntervalMs: 3_600_000,
    });
    const erasures = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redisUrl, reachPrefix));
    const enrolmentQueue = new Queue(QUEUE_NAMES.enrolment, producerOptions(redisUrl, reachPrefix));
    try {
      await reach.ready;
      const { subjectId, consentId, templateIds, enrolmentId } = await person("Jiang Tao");
      const [subject] = await testDb.db.select().from(schema.subjects).where(eq(schema.subjects.id, subjectId));
      // The person's enrolment job, finished long ago (no enrolment worker on this prefix: it waits).
      await JOBS.enrolment.add(enrolmentQueue, { enrolmentId });
      const requestId = await approvedDeletion(subjectId);
      const jobId = `erasure-${requestId}`;
      const done = completion(reach.erasureWorker, jobId, JOB_TIMEOUT_MS);
      await JOBS.erasure.add(erasures, { requestId });
      await done;
      const needles = [
        jobId,
        requestId,
        subjectId,
        consentId,
        ...templateIds,
        enrolmentId,
        subject?.pseudonym as string,
      ];
      // The job's own `completed` event is written after the erasure; the worker removes it just after.
      await eventually(
        async () => (await eventsNaming(redis, reachPrefix, needles)).length === 0,
        "the erasure's events to be removed",
      );

      const keys = await redis.keys(`${reachPrefix}:*`);
      expect(keys).toContain(`${reachPrefix}:${QUEUE_NAMES.dsrErasure}:events`);
      for (const key of keys) {
        const type = await redis.type(key);
        const text =
          type === "hash"
            ? JSON.stringify(await redis.hgetall(key))
            : type === "stream"
              ? JSON.stringify(await redis.xrange(key, "-", "+"))
              : type === "list"
                ? JSON.stringify(await redis.lrange(key, 0, -1))
                : type === "zset"
                  ? JSON.stringify(await redis.zrange(key, 0, -1))
                  : "";
        for (const needle of needles) expect(`${key} ${text}`).not.toContain(needle);
      }
      expect(await erasures.getJob(jobId)).toBeUndefined();
    } finally {
      await reach.close();
      await Promise.all([erasures.close(), enrolmentQueue.close()]);
      const keys = await redis.keys(`${reachPrefix}:*`);
      if (keys.length) await redis.del(...keys);
    }
  });

  it("deletes the queued templates of a withdrawal and reloads the gallery", async () => {
    const { subjectId, templateIds } = await person("Zhou Min");
    const [queued, kept] = templateIds as [string, string];
    await testDb.db.update(faceTemplates).set({ deletionQueuedAt: new Date() }).where(eq(faceTemplates.id, queued));
    invalidations.length = 0;

    const legacyJobId = `template-deletion-${randomBytes(4).toString("hex")}`;
    const done = completion(ops.erasureWorker, legacyJobId, JOB_TIMEOUT_MS);
    // As queued before certificates existed: no consentIds, so only the queued templates go.
    await jobs.deleteTemplates({
      jobId: legacyJobId,
      subjectId,
      templateIds: [queued, kept],
      reason: "consent_withdrawn",
    });
    await expect(done).resolves.toEqual({ deleted: 1, siteIds: [siteId] });

    const left = await testDb.db
      .select({ id: faceTemplates.id })
      .from(faceTemplates)
      .where(and(eq(faceTemplates.subjectId, subjectId), inArray(faceTemplates.id, templateIds)));
    expect(left).toEqual([{ id: kept }]);
    await waitFor(() => invalidations.length > 0, "a gallery invalidation");
    expect(invalidations).toEqual([{ type: "gallery", siteId }]);
  });

  it("fails malformed payloads, unknown job names and unapproved requests at once, without retries", async () => {
    const malformedErasure = await queue.add("erasure", { requestId: "not-a-uuid" }, { attempts: 3 });
    expect(await failedOnce(malformedErasure)).toMatch(/invalid payload for erasure/);
    const malformedDeletion = await queue.add("template-deletion", { subjectId: "x" }, { attempts: 3 });
    expect(await failedOnce(malformedDeletion)).toMatch(/invalid payload for template-deletion/);
    const unknown = await queue.add("shred", {}, { attempts: 3 });
    expect(await failedOnce(unknown)).toMatch(/unknown job name "shred"/);

    const { subjectId } = await person("Wu Hao");
    const open = await queue.add("erasure", { requestId: await approvedDeletion(subjectId, "open") }, { attempts: 3 });
    expect(await failedOnce(open)).toMatch(/erasure refused: .* is open, not approved/);
    expect(await testDb.db.select().from(faceTemplates).where(eq(faceTemplates.subjectId, subjectId))).toHaveLength(2);
  });
});
