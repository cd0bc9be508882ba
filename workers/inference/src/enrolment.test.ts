import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deleteWithdrawnTemplates, eraseSubjectForRequest, scanResidue } from "@consentry/core/dsr";
import { createEnrolment, ENROLMENT_BLOCK_MESSAGES } from "@consentry/core/enrolment";
import { recordAssessment } from "@consentry/core/records";
import { createSite } from "@consentry/core/sites";
import { createSubject, giveConsent, withdrawConsent } from "@consentry/core/subjects";
import { makeOrganization, recognitionConsent, TEST_ACTOR } from "@consentry/core/testing";
import { assessmentFields, consentFields, siteFields, subjectFields } from "@consentry/core/validators";
import { encryptString } from "@consentry/crypto";
import { and, eq, schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { FACES_DIR } from "@consentry/fixtures";
import { createJobProducer, producerOptions, QUEUE_NAMES, workerOptions } from "@consentry/queue";
import { createFileStore } from "@consentry/storage";
import { createFaceAnalyzerThread, type FaceAnalyzer } from "@consentry/vision";
import { Queue, QueueEvents, Worker } from "bullmq";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enrolmentProcessor } from "./enrolment";

// The enrolment job against erasures and withdrawals, in both orders. Real PostgreSQL, Redis
// (private prefix, a real BullMQ worker), file store and ONNX models. The analyser is the real one
// behind a gate: embed() waits until the test opens it (a gate, not a mock; the embedding is real).

const prefix = `test-enrolment-${randomBytes(4).toString("hex")}`;
const storageDir = mkdtempSync(join(tmpdir(), "consentry-enrolment-"));
const storage = createFileStore(storageDir);
const jobs = createJobProducer(env.REDIS_URL, prefix);
const { dsrRequests, enrolmentPhotos, enrolments, faceTemplates, jobOutbox } = schema;

type Gate = { reached: Promise<void>; open: () => void };
let gate: Gate | null = null;
/** From now on, embed() stops at the gate until `open()`; `reached` resolves when it gets there. */
function closeGate(): Gate {
  let reach = () => {};
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const reached = new Promise<void>((resolve) => {
    reach = resolve;
  });
  gate = { reached, open };
  const current = gate;
  gatedEmbed = async () => {
    reach();
    await opened;
    if (gate === current) gate = null;
  };
  return current;
}
let gatedEmbed: () => Promise<void> = async () => {};
/** Runs inside the template's transaction with the locks held (see `whileLocked`). */
let whileLocked: () => Promise<void> = async () => {};

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let real: FaceAnalyzer;
let worker: Worker;
let queueEvents: QueueEvents;
let queue: Queue;
let orgId: string;
let siteId: string;
let linPhoto: Buffer;
let twoPeople: Buffer;
let blank: Buffer;
const deps = () => ({ db: testDb.db, actor: TEST_ACTOR, orgId, jobs, storage });

async function person(name: string, at = siteId) {
  const { id } = await createSubject(
    deps(),
    subjectFields.parse({ displayName: name, contact: null, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps(), consentFields.parse(recognitionConsent(id, at)));
  return { subjectId: id, consentId: consent.id };
}

async function approvedDeletion(subjectId: string) {
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
      status: "approved",
    })
    .returning({ id: dsrRequests.id });
  return request?.id as string;
}

/** Queues the enrolment as the API does and returns a promise of the job's result. */
async function enrol(subjectId: string, photos: Buffer[], at = siteId) {
  const created = await createEnrolment(deps(), {
    subjectId,
    siteId: at,
    photos: photos.map((p) => new Uint8Array(p)),
  });
  expect(created.queued).toBe(true);
  const job = await queue.getJob(`enrolment-${created.id}`);
  if (!job) throw new Error("the enrolment job is not in the queue");
  return { id: created.id, done: job.waitUntilFinished(queueEvents, 60_000) as Promise<{ status: string }> };
}

async function storedFiles() {
  const entries = await readdir(storageDir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).length;
}

const templatesOf = (subjectId: string) =>
  testDb.db.select().from(faceTemplates).where(eq(faceTemplates.subjectId, subjectId));
const photosOf = (subjectId: string) =>
  testDb.db.select().from(enrolmentPhotos).where(eq(enrolmentPhotos.subjectId, subjectId));
const erasedKeys = async (requestId: string) =>
  (await testDb.db.select().from(schema.dsrErasures).where(eq(schema.dsrErasures.requestId, requestId)))[0]
    ?.photoKeys ?? [];
const enrolmentRow = async (id: string) => (await testDb.db.select().from(enrolments).where(eq(enrolments.id, id)))[0];

/** Until some other session of this database waits for a lock (the erasure's or the withdrawal's). */
async function someoneWaitsForALock() {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const [row] = await testDb.db.execute<{ waiting: number }>(sql`
      select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`);
    if ((row?.waiting ?? 0) > 0) return;
    if (Date.now() > deadline) throw new Error("nobody came to wait for the lock");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  real = await createFaceAnalyzerThread({ threads: 1 });
  const gated: FaceAnalyzer = {
    modelId: real.modelId,
    detect: (image) => real.detect(image),
    detectBoxes: (image) => real.detectBoxes(image),
    embed: async (image, face) => {
      await gatedEmbed();
      return real.embed(image, face);
    },
    embedFaces: (image, faces) => real.embedFaces(image, faces),
    analyze: (image) => real.analyze(image),
    close: async () => {},
  };
  orgId = (await makeOrganization(testDb.db)).id;
  const site = await createSite(
    deps(),
    siteFields.parse({
      name: "Gated Hall",
      address: "1 Gate Road",
      regionCode: "310101",
      kind: "office",
      templateRetentionDays: 365,
    }),
  );
  siteId = site.id;
  await recordAssessment(
    deps(),
    assessmentFields.parse({
      siteId,
      scope: "Front door",
      approver: "DPO",
      documentSha256: "d".repeat(64),
      completedAt: new Date(),
      nextReviewAt: null,
    }),
  );
  linPhoto = await readFile(join(FACES_DIR, "lin-manuel-miranda.png"));
  twoPeople = await readFile(join(FACES_DIR, "two_people.jpg"));
  blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#888" } })
    .jpeg()
    .toBuffer();
  queue = new Queue(QUEUE_NAMES.enrolment, producerOptions(env.REDIS_URL, prefix));
  queueEvents = new QueueEvents(QUEUE_NAMES.enrolment, workerOptions(env.REDIS_URL, prefix));
  await queueEvents.waitUntilReady();
  worker = new Worker(
    QUEUE_NAMES.enrolment,
    enrolmentProcessor({
      db: testDb.db,
      storage,
      analyzer: gated,
      galleryChanged: async () => {},
      whileLocked: () => whileLocked(),
    }),
    { ...workerOptions(env.REDIS_URL, prefix), concurrency: 1 },
  );
  await worker.waitUntilReady();
}, 120_000);

afterAll(async () => {
  gate?.open();
  await worker?.close();
  await queueEvents?.close();
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  await jobs.close();
  await real?.close();
  await testDb?.drop();
  await rm(storageDir, { recursive: true, force: true });
}, 60_000);

describe("photo lifecycle", { timeout: 90_000 }, () => {
  it("deletes refused photos (row and file) at once and the accepted one once its template is made", async () => {
    const { subjectId } = await person("Lifecycle Person");
    const filesBefore = await storedFiles();
    const { id, done } = await enrol(subjectId, [linPhoto, blank, twoPeople]);
    expect(await done).toMatchObject({ status: "done" });
    // The default policy keeps no enrolment photo: nothing is left of the three, rows or files.
    expect(await photosOf(subjectId)).toEqual([]);
    expect(await storedFiles()).toBe(filesBefore);
    expect(await templatesOf(subjectId)).toHaveLength(1);
    // What became of each photo stays on the enrolment, for the manager.
    const enrolment = await enrolmentRow(id);
    expect(enrolment?.status).toBe("done");
    expect(enrolment).toMatchObject({
      failureReason: null,
      stoppedBecause: null,
      photoOutcomes: ["accepted", "noFace", "severalFaces"],
    });
  });

  it("keeps the accepted photo, encrypted, where the site's retention keeps photos; refused ones still go", async () => {
    const keeping = await createSite(
      deps(),
      siteFields.parse({
        name: "Keeping Hall",
        address: "2 Gate Road",
        regionCode: "310101",
        kind: "office",
        templateRetentionDays: 365,
      }),
    );
    await recordAssessment(
      deps(),
      assessmentFields.parse({
        siteId: keeping.id,
        scope: "Front door",
        approver: "DPO",
        documentSha256: "e".repeat(64),
        completedAt: new Date(),
        nextReviewAt: null,
      }),
    );
    await testDb.db
      .update(schema.retentionPolicies)
      .set({ days: 30 })
      .where(
        and(eq(schema.retentionPolicies.siteId, keeping.id), eq(schema.retentionPolicies.kind, "enrolment_photos")),
      );
    const { subjectId } = await person("Keeping Person", keeping.id);
    const filesBefore = await storedFiles();
    const { done } = await enrol(subjectId, [twoPeople, linPhoto], keeping.id);
    expect(await done).toMatchObject({ status: "done" });
    const photos = await photosOf(subjectId);
    expect(photos.map((photo) => [photo.position, photo.status])).toEqual([[1, "accepted"]]);
    expect(await storedFiles()).toBe(filesBefore + 1);
    const sealed = (await storage.read(photos[0]?.storageKey ?? "")).toString();
    expect(sealed.startsWith("v1.")).toBe(true);
  });

  it("a retry keeps the outcome of a photo the interrupted attempt already decided and deleted", async () => {
    const { subjectId } = await person("Interrupted Enrolment");
    // The first attempt decides photo 1 (no face, deleted at once), then dies inside photo 2's transaction.
    let calls = 0;
    whileLocked = async () => {
      calls += 1;
      if (calls < 2) return;
      whileLocked = async () => {};
      throw new Error("the worker died mid-enrolment");
    };
    const { id, done } = await enrol(subjectId, [blank, linPhoto]);
    expect(await done).toMatchObject({ status: "done" });
    expect(calls).toBe(2);
    expect(await enrolmentRow(id)).toMatchObject({
      status: "done",
      failureReason: null,
      stoppedBecause: null,
      photoOutcomes: ["noFace", "accepted"],
    });
    expect(await templatesOf(subjectId)).toHaveLength(1);
    expect(await photosOf(subjectId)).toEqual([]);
  });
});

describe("new enrolments", { timeout: 30_000 }, () => {
  it("are refused, storing nothing, once a deletion of the person is approved", async () => {
    const { subjectId } = await person("Approved For Deletion");
    await approvedDeletion(subjectId);
    const filesBefore = await storedFiles();
    const refusal = createEnrolment(deps(), { subjectId, siteId, photos: [new Uint8Array(linPhoto)] });
    await expect(refusal).rejects.toMatchObject({ kind: "refused", message: expect.stringContaining("erasure") });
    expect(await testDb.db.select().from(enrolments).where(eq(enrolments.subjectId, subjectId))).toEqual([]);
    expect(await storedFiles()).toBe(filesBefore);
  });
});

describe("no write after erasure or withdrawal (the race, with a gated model)", { timeout: 90_000 }, () => {
  it("an erasure that completes while the job is embedding: no template is written, the certificate stays true", async () => {
    const { subjectId } = await person("Erased Mid-Embedding");
    const filesBefore = await storedFiles();
    const gateNow = closeGate();
    const { id, done } = await enrol(subjectId, [linPhoto]);
    await gateNow.reached;
    const requestId = await approvedDeletion(subjectId);
    const erased = await eraseSubjectForRequest({ db: testDb.db, storage, requestId });
    expect(erased.certificate.items.templates).toBe(0);
    gateNow.open();
    expect(await done).toMatchObject({ status: "failed" });

    expect(await templatesOf(subjectId)).toEqual([]);
    expect(await photosOf(subjectId)).toEqual([]);
    expect(await enrolmentRow(id)).toBeUndefined();
    expect(await storedFiles()).toBe(filesBefore);
    const residue = await scanResidue(testDb.db, storage, subjectId, await erasedKeys(requestId));
    expect(residue.rows + residue.files).toBe(0);
  });

  it("an erasure still running when the embedding ends: the job gives up on the lock in time and deletes its photos", async () => {
    const { subjectId } = await person("Erasing While Embedding");
    const filesBefore = await storedFiles();
    const gateNow = closeGate();
    const { id, done } = await enrol(subjectId, [linPhoto]);
    await gateNow.reached;
    // The erasure holds its lock for its whole run; it pauses after its first step until released.
    let release = () => {};
    const paused = new Promise<void>((resolve) => {
      release = resolve;
    });
    let pausedAt = "";
    const requestId = await approvedDeletion(subjectId);
    const erasure = eraseSubjectForRequest({
      db: testDb.db,
      storage,
      requestId,
      afterStep: async (step) => {
        if (pausedAt) return;
        pausedAt = step;
        await paused;
      },
    });
    while (!pausedAt) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = Date.now();
    gateNow.open();
    expect(await done).toMatchObject({ status: "failed" });
    // It waited ENROLMENT_LOCK_TIMEOUT (5 s) for the lock, then stopped instead of failing the job.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect((await enrolmentRow(id))?.stoppedBecause).toBe("erasureInProgress");
    release();
    const erased = await erasure;
    expect(erased.certificate.items.templates).toBe(0);
    expect(await templatesOf(subjectId)).toEqual([]);
    expect(await photosOf(subjectId)).toEqual([]);
    expect(await storedFiles()).toBe(filesBefore);
    const residue = await scanResidue(testDb.db, storage, subjectId, await erasedKeys(requestId));
    expect(residue.rows + residue.files).toBe(0);
  });

  it("an erasure approved while the job is embedding (not yet run): the job skips, deletes its photos and says why", async () => {
    const { subjectId } = await person("Erasure Queued Mid-Embedding");
    const filesBefore = await storedFiles();
    const gateNow = closeGate();
    const { id, done } = await enrol(subjectId, [linPhoto]);
    await gateNow.reached;
    await approvedDeletion(subjectId);
    gateNow.open();
    expect(await done).toMatchObject({ status: "failed" });
    expect(await templatesOf(subjectId)).toEqual([]);
    expect(await photosOf(subjectId)).toEqual([]);
    expect(await storedFiles()).toBe(filesBefore);
    expect(await enrolmentRow(id)).toMatchObject({
      stoppedBecause: "erasureInProgress",
      failureReason: ENROLMENT_BLOCK_MESSAGES.erasureInProgress,
      photoOutcomes: ["pending"],
    });
  });

  it("an erasure that starts while the job holds the lock waits for it, then deletes the template", async () => {
    const { subjectId } = await person("Erased After Writing");
    const filesBefore = await storedFiles();
    const requestId = await approvedDeletion(subjectId);
    // Approved before the job ran would stop it; approve "in the same instant" instead: the
    // request row is made approved only once the job holds the lock.
    await testDb.db.update(dsrRequests).set({ status: "open" }).where(eq(dsrRequests.id, requestId));
    let erasure: ReturnType<typeof eraseSubjectForRequest> | undefined;
    whileLocked = async () => {
      whileLocked = async () => {};
      await testDb.db.update(dsrRequests).set({ status: "approved" }).where(eq(dsrRequests.id, requestId));
      erasure = eraseSubjectForRequest({ db: testDb.db, storage, requestId });
      await someoneWaitsForALock();
    };
    const { done } = await enrol(subjectId, [linPhoto]);
    expect(await done).toMatchObject({ status: "done" });
    if (!erasure) throw new Error("the erasure did not start");
    const erased = await erasure;
    expect(erased.certificate.items.templates).toBe(1);
    expect(await templatesOf(subjectId)).toEqual([]);
    expect(await photosOf(subjectId)).toEqual([]);
    expect(await storedFiles()).toBe(filesBefore);
    const residue = await scanResidue(testDb.db, storage, subjectId, await erasedKeys(requestId));
    expect(residue.rows + residue.files).toBe(0);
  });

  it("a withdrawal while the job is embedding: no template, photos and files gone, the reason shown", async () => {
    const { subjectId, consentId } = await person("Withdrawn Mid-Embedding");
    const filesBefore = await storedFiles();
    const gateNow = closeGate();
    const { id, done } = await enrol(subjectId, [linPhoto, twoPeople]);
    await gateNow.reached;
    await withdrawConsent(deps(), { consentId, reason: "changed my mind" });
    gateNow.open();
    expect(await done).toMatchObject({ status: "failed" });
    expect(await templatesOf(subjectId)).toEqual([]);
    expect(await photosOf(subjectId)).toEqual([]);
    expect(await storedFiles()).toBe(filesBefore);
    expect(await enrolmentRow(id)).toMatchObject({
      stoppedBecause: "consentWithdrawn",
      failureReason: ENROLMENT_BLOCK_MESSAGES.consentWithdrawn,
      photoOutcomes: ["pending", "pending"],
    });
  });

  it("a withdrawal while the job holds the lock waits for it, then queues the new template for deletion", async () => {
    const { subjectId, consentId } = await person("Withdrawn After Writing");
    let withdrawal: Promise<unknown> | undefined;
    whileLocked = async () => {
      whileLocked = async () => {};
      withdrawal = withdrawConsent(deps(), { consentId, reason: "changed my mind" });
      await someoneWaitsForALock();
    };
    const { done } = await enrol(subjectId, [linPhoto]);
    expect(await done).toMatchObject({ status: "done" });
    await withdrawal;
    const [template] = await templatesOf(subjectId);
    expect(template?.deletionQueuedAt).not.toBeNull();
    // The withdrawal's deletion job (as the ops worker runs it) deletes it.
    const [outbox] = await testDb.db
      .select()
      .from(jobOutbox)
      .where(sql`${jobOutbox.payload}->>'subjectId' = ${subjectId}`);
    const payload = outbox?.payload as Parameters<typeof deleteWithdrawnTemplates>[0]["job"];
    expect(payload.templateIds).toEqual([template?.id]);
    expect((await deleteWithdrawnTemplates({ db: testDb.db, storage, job: payload })).deleted).toBe(1);
    expect(await templatesOf(subjectId)).toEqual([]);
  });
});
