import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnrolment } from "@consentry/core/enrolment";
import { recordAssessment } from "@consentry/core/records";
import { createSite } from "@consentry/core/sites";
import { createSubject, giveConsent, withdrawConsent } from "@consentry/core/subjects";
import { makeOrganization, recognitionConsent, TEST_ACTOR } from "@consentry/core/testing";
import { assessmentFields, consentFields, siteFields, subjectFields } from "@consentry/core/validators";
import { openEmbedding } from "@consentry/crypto";
import { and, eq, schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { FACES_DIR } from "@consentry/fixtures";
import { createJobProducer, JOBS, producerOptions, QUEUE_NAMES, workerOptions } from "@consentry/queue";
import { completion } from "@consentry/queue/testing";
import { createFileStore } from "@consentry/storage";
import {
  cosineSimilarity,
  createFaceAnalyzerThread,
  DEFAULT_MATCH_THRESHOLD,
  decodeImage,
  type FaceAnalyzer,
} from "@consentry/vision";
import { Queue, QueueEvents, Worker } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GalleryCache } from "./gallery";
import { enrolmentQueueProcessor, queueReEnrolments, type ReEnrolmentResult } from "./re-enrolment";

// Re-enrolment after a model change, through a real BullMQ worker on the enrolment queue with the
// real models, PostgreSQL, Redis and file store. "An older model" is the current template relabelled
// with another model id: the job cannot tell, and the re-embedded vector is checked against a fresh one.

const OLDER_MODEL = "fr_feature@faceplugin-0.0.0";
const prefix = `test-reenrol-${randomBytes(4).toString("hex")}`;
const storageDir = mkdtempSync(join(tmpdir(), "consentry-reenrol-"));
const storage = createFileStore(storageDir);
const jobs = createJobProducer(env.REDIS_URL, prefix);
const { auditLog, enrolmentPhotos, faceTemplates, memberships, notifications, retentionPolicies, users } = schema;

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let analyzer: FaceAnalyzer;
let worker: Worker;
let queue: Queue;
let queueEvents: QueueEvents;
let orgId: string;
let managerId: string;
let photo: Buffer;
const changedGalleries: string[] = [];
const deps = () => ({ db: testDb.db, actor: TEST_ACTOR, orgId, jobs, storage });

async function makeSite(name: string, keepPhotosDays: number) {
  const site = await createSite(
    deps(),
    siteFields.parse({
      name,
      address: "3 Model Road",
      regionCode: "310101",
      kind: "office",
      templateRetentionDays: 365,
    }),
  );
  await recordAssessment(
    deps(),
    assessmentFields.parse({
      siteId: site.id,
      scope: "Front door",
      approver: "DPO",
      documentSha256: "f".repeat(64),
      completedAt: new Date(),
      nextReviewAt: null,
    }),
  );
  await testDb.db
    .update(retentionPolicies)
    .set({ days: keepPhotosDays })
    .where(and(eq(retentionPolicies.siteId, site.id), eq(retentionPolicies.kind, "enrolment_photos")));
  return site.id;
}

/** A consenting person enrolled from the fixture photo, their template then relabelled as an older model's. */
async function enrolledUnderOlderModel(name: string, siteId: string) {
  const { id: subjectId } = await createSubject(
    deps(),
    subjectFields.parse({ displayName: name, contact: null, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps(), consentFields.parse(recognitionConsent(subjectId, siteId)));
  await enrol(subjectId, siteId);
  await testDb.db
    .update(faceTemplates)
    .set({ modelId: OLDER_MODEL, modelVersion: "faceplugin-0.0.0" })
    .where(eq(faceTemplates.subjectId, subjectId));
  return { subjectId, consentId: consent.id };
}

async function enrol(subjectId: string, siteId: string) {
  const created = await createEnrolment(deps(), { subjectId, siteId, photos: [new Uint8Array(photo)] });
  const job = await queue.getJob(`enrolment-${created.id}`);
  expect(await job?.waitUntilFinished(queueEvents, 60_000)).toMatchObject({ status: "done" });
}

/** The result of the re-enrolment job that `start` queues (listened for before it is queued). */
async function reEnrolmentResult(data: { siteId: string; modelId: string }, start: () => Promise<unknown>) {
  const finished = completion(worker, JOBS.reEnrolment.optionsFor(data).jobId ?? "");
  await start();
  return (await finished) as ReEnrolmentResult;
}

function reEnrol(siteId: string, modelId = analyzer.modelId) {
  return reEnrolmentResult({ siteId, modelId }, () => JOBS.reEnrolment.add(queue, { siteId, modelId }));
}

const templatesOf = (subjectId: string) =>
  testDb.db.select().from(faceTemplates).where(eq(faceTemplates.subjectId, subjectId));

beforeAll(async () => {
  testDb = await createTestDatabase();
  analyzer = await createFaceAnalyzerThread({ threads: 1 });
  orgId = (await makeOrganization(testDb.db)).id;
  managerId = `manager-${randomBytes(4).toString("hex")}`;
  await testDb.db.insert(users).values({ id: managerId, name: "Manager", email: `${managerId}@test.consentry.local` });
  await testDb.db.insert(memberships).values({ orgId, userId: managerId, role: "manager" });
  photo = await readFile(join(FACES_DIR, "lin-manuel-miranda.png"));
  queue = new Queue(QUEUE_NAMES.enrolment, producerOptions(env.REDIS_URL, prefix));
  queueEvents = new QueueEvents(QUEUE_NAMES.enrolment, workerOptions(env.REDIS_URL, prefix));
  await queueEvents.waitUntilReady();
  worker = new Worker(
    QUEUE_NAMES.enrolment,
    enrolmentQueueProcessor({
      db: testDb.db,
      storage,
      analyzer,
      galleryChanged: async (siteId) => {
        changedGalleries.push(siteId);
      },
    }),
    { ...workerOptions(env.REDIS_URL, prefix), concurrency: 1 },
  );
  await worker.waitUntilReady();
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await queueEvents?.close();
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  await jobs.close();
  await analyzer?.close();
  await testDb?.drop();
  await rm(storageDir, { recursive: true, force: true });
}, 60_000);

describe("re-enrolment after a model change", { timeout: 120_000 }, () => {
  it("re-embeds from the kept photo: the new model's template replaces the old, and the gallery has the person again", async () => {
    const siteId = await makeSite("Keeping Lobby", 30);
    const { subjectId } = await enrolledUnderOlderModel("Kept Photo", siteId);
    const gallery = new GalleryCache(testDb.db, analyzer.modelId);
    expect((await gallery.forSite(siteId)).size).toBe(0);

    let queued = 0;
    const result = await reEnrolmentResult({ siteId, modelId: analyzer.modelId }, async () => {
      queued = await queueReEnrolments(testDb.db, queue, analyzer.modelId);
    });
    expect(queued).toBeGreaterThanOrEqual(1);
    expect(result).toMatchObject({ status: "done", reEnrolled: 1, recaptureNeeded: 0 });

    const [template, ...others] = await templatesOf(subjectId);
    expect(others).toEqual([]);
    expect(template?.modelId).toBe(analyzer.modelId);
    const [kept] = await testDb.db.select().from(enrolmentPhotos).where(eq(enrolmentPhotos.subjectId, subjectId));
    expect(kept?.templateId).toBe(template?.id);
    // The stored vector is the current model's embedding of that photo (kept re-encoded as JPEG, so
    // close to the original's, not equal).
    const image = await decodeImage(photo);
    const [face] = await analyzer.detect(image);
    const fresh = await analyzer.embed(image, face as NonNullable<typeof face>);
    const stored = { embedding: openEmbedding(template?.embeddingEnc ?? ""), modelId: analyzer.modelId };
    expect(cosineSimilarity(stored, fresh)).toBeGreaterThan(0.98);

    gallery.invalidate(siteId);
    const reloaded = await gallery.forSite(siteId);
    expect(reloaded.size).toBe(1);
    expect(reloaded.best(fresh, DEFAULT_MATCH_THRESHOLD)?.subjectId).toEqual({ subjectId, templateId: template?.id });
    expect(changedGalleries).toContain(siteId);
    const [audit] = await testDb.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "template.reenrol"), eq(auditLog.targetId, siteId)));
    expect(audit?.details).toMatchObject({ modelId: analyzer.modelId, reEnrolled: 1, recaptureNeeded: 0 });

    // Nothing is left to do: a second run changes nothing.
    expect(await reEnrol(siteId)).toMatchObject({ reEnrolled: 0, recaptureNeeded: 0 });
  });

  it("without a kept photo marks the template for a new photo and tells the site's members once; a new enrolment replaces it", async () => {
    const siteId = await makeSite("Forgetting Lobby", 0);
    const first = await enrolledUnderOlderModel("No Photo One", siteId);
    const second = await enrolledUnderOlderModel("No Photo Two", siteId);
    expect(
      await testDb.db.select().from(enrolmentPhotos).where(eq(enrolmentPhotos.subjectId, first.subjectId)),
    ).toEqual([]);

    expect(await reEnrol(siteId)).toMatchObject({ reEnrolled: 0, recaptureNeeded: 2 });
    const [marked] = await templatesOf(first.subjectId);
    expect(marked?.modelId).toBe(OLDER_MODEL);
    expect(marked?.recaptureNeededAt).toBeInstanceOf(Date);
    const told = await testDb.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, managerId), eq(notifications.kind, "recapture_needed")));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ siteId, targetType: "recapture", params: { count: 2, site: "Forgetting Lobby" } });

    // Marked templates are not picked up again, and the members are not told twice.
    expect(await reEnrol(siteId)).toMatchObject({ reEnrolled: 0, recaptureNeeded: 0 });
    // The manager takes a new photo of the first person: their old template goes, the second's stays marked.
    await enrol(first.subjectId, siteId);
    const after = await templatesOf(first.subjectId);
    expect(after.map((row) => row.modelId)).toEqual([analyzer.modelId]);
    expect((await templatesOf(second.subjectId)).map((row) => row.modelId)).toEqual([OLDER_MODEL]);
    const [superseded] = await testDb.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "template.delete"), eq(auditLog.targetId, first.subjectId)));
    expect(superseded?.details).toMatchObject({ count: 1, reason: "superseded" });
  });

  it("leaves the templates of a withdrawn consent to the withdrawal, and a job for another model to its workers", async () => {
    const siteId = await makeSite("Withdrawn Lobby", 30);
    const { subjectId, consentId } = await enrolledUnderOlderModel("Withdrawing Person", siteId);
    await withdrawConsent(deps(), { consentId, reason: "changed my mind" });
    expect(await reEnrol(siteId)).toMatchObject({ reEnrolled: 0, recaptureNeeded: 0 });
    expect((await templatesOf(subjectId)).map((row) => row.modelId)).toEqual([OLDER_MODEL]);

    expect(await reEnrol(siteId, "fr_feature_next@faceplugin-9")).toMatchObject({ status: "skipped" });
    const [count] = await testDb.db
      .select({ n: sql<number>`count(*)::int` })
      .from(faceTemplates)
      .where(eq(faceTemplates.siteId, siteId));
    expect(count?.n).toBe(1);
  });
});
