import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CameraSimulator, startCameraSimulator } from "@consentry/camera-sim";
import { createCamera, getCamera, updateCamera } from "@consentry/core/cameras";
import { createEnrolment } from "@consentry/core/enrolment";
import { DomainError } from "@consentry/core/errors";
import { recordAssessment } from "@consentry/core/records";
import { createSite, getSite, readEventSnapshot, updateSite } from "@consentry/core/sites";
import { createSubject, giveConsent, withdrawConsent } from "@consentry/core/subjects";
import { makeOrganization, recognitionConsent, TEST_ACTOR } from "@consentry/core/testing";
import {
  assessmentFields,
  cameraFields,
  cameraUpdateFields,
  consentFields,
  siteFields,
  subjectFields,
} from "@consentry/core/validators";
import { openEmbedding } from "@consentry/crypto";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { FACES_DIR } from "@consentry/fixtures";
import { createJobProducer, producerOptions, QUEUE_NAMES, readHeartbeats, redisConnection } from "@consentry/queue";
import { createFileStore } from "@consentry/storage";
import { cosineSimilarity, createFaceAnalyzerThread, decodeImage, type FaceAnalyzer } from "@consentry/vision";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InferenceWorker, startInferenceWorker } from "./worker";

// Real PostgreSQL, Redis, ONNX models, ffmpeg and the RTSP camera simulator playing the
// Hamilton clip. Only Lin-Manuel Miranda is enrolled; the audience must leave no trace.

const FACES = FACES_DIR;
const prefix = `test-inference-${randomBytes(4).toString("hex")}`;
const logLines: string[] = [];
const logger = pino({ level: "debug" }, { write: (line: string) => void logLines.push(line) });
const storageDir = mkdtempSync(join(tmpdir(), "consentry-inference-"));
const storage = createFileStore(storageDir);
const jobs = createJobProducer(env.REDIS_URL, prefix);
const redis = new Redis(redisConnection(env.REDIS_URL));

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let sim: CameraSimulator;
let analyzer: FaceAnalyzer;
let worker: InferenceWorker;
let orgId: string;
let siteId: string;
let linId: string;
let linConsentId: string;
// What the use cases need, as the API hands it to them; lease states unknown (nothing here reads them).
const deps = () => ({ db: testDb.db, actor: TEST_ACTOR, orgId, jobs, storage, leases: { read: async () => null } });

async function waitFor<T>(check: () => Promise<T | undefined | null | false>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function enrol(subjectId: string, files: Buffer[]) {
  const photos = files.map((file) => new Uint8Array(file));
  const { id } = await createEnrolment(deps(), { subjectId, siteId, photos });
  return waitFor(
    async () => {
      const [row] = await testDb.db.select().from(schema.enrolments).where(eq(schema.enrolments.id, id));
      return row && (row.status === "done" || row.status === "failed") ? row : undefined;
    },
    30_000,
    "the enrolment to finish",
  );
}

async function person(name: string) {
  const { id } = await createSubject(
    deps(),
    subjectFields.parse({ displayName: name, contact: null, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps(), consentFields.parse(recognitionConsent(id, siteId)));
  return { subjectId: id, consentId: consent.id };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  sim = await startCameraSimulator({ count: 2, port: 0 });
  analyzer = await createFaceAnalyzerThread({ threads: 1 });
  orgId = (await makeOrganization(testDb.db)).id;
  const site = await createSite(
    deps(),
    siteFields.parse({
      name: "Richard Rodgers Theatre",
      address: "226 W 46th St",
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
      scope: "Stage door",
      approver: "DPO",
      documentSha256: "c".repeat(64),
      completedAt: new Date(),
      nextReviewAt: null,
    }),
  );
  ({ subjectId: linId, consentId: linConsentId } = await person("Lin-Manuel Miranda"));
  worker = startInferenceWorker({
    db: testDb.db,
    redisUrl: env.REDIS_URL,
    prefix,
    storage,
    analyzer,
    logger,
    maxCameras: 2,
    reconcileEveryMs: 2000,
    heartbeatEveryMs: 1000,
    settings: { stallTimeoutMs: 3000 },
  });
  await worker.ready;
}, 120_000);

afterAll(async () => {
  await worker?.close();
  await analyzer?.close();
  await sim?.stop();
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, producerOptions(env.REDIS_URL, prefix));
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  await jobs.close();
  await redis.quit();
  await testDb?.drop();
  await rm(storageDir, { recursive: true, force: true });
}, 60_000);

describe("enrolment", { timeout: 60_000 }, () => {
  it("turns a photo with one face into an encrypted template and rejects the rest with reasons, keeping no photo", async () => {
    const blank = await sharp({ create: { width: 400, height: 300, channels: 3, background: "#888" } })
      .jpeg()
      .toBuffer();
    const enrolment = await enrol(linId, [
      await readFile(join(FACES, "lin-manuel-miranda.png")),
      blank,
      await readFile(join(FACES, "two_people.jpg")),
    ]);
    expect(enrolment.status).toBe("done");
    const photos = await testDb.db
      .select()
      .from(schema.enrolmentPhotos)
      .where(eq(schema.enrolmentPhotos.enrolmentId, enrolment.id));
    // Refused photos go at once and the accepted one with its template made (the default policy
    // keeps none); the reasons stay on the enrolment, one per photo in upload order.
    expect(photos).toEqual([]);
    expect(enrolment.photoOutcomes).toEqual(["accepted", "noFace", "severalFaces"]);
    expect(enrolment.failureReason).toBeNull();
    const [template] = await testDb.db
      .select()
      .from(schema.faceTemplates)
      .where(eq(schema.faceTemplates.subjectId, linId));
    expect(template?.modelId).toBe(analyzer.modelId);
    expect(template?.consentId).toBe(linConsentId);
    expect(template?.embeddingEnc.startsWith("v1.")).toBe(true);
    const embedding = openEmbedding(template?.embeddingEnc ?? "");
    expect(embedding).toHaveLength(512);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 3);
  });

  it("refuses a person without consent before storing anything (CN-FR-04)", async () => {
    const { id } = await createSubject(
      deps(),
      subjectFields.parse({ displayName: "No Consent", contact: null, isMinor: false, birthYear: null }),
    );
    const photo = await readFile(join(FACES, "obama.jpg"));
    const refusal = createEnrolment(deps(), { subjectId: id, siteId, photos: [photo] });
    // A refusal by the rules: the API answers it as UNPROCESSABLE_CONTENT.
    await expect(refusal).rejects.toBeInstanceOf(DomainError);
    await expect(refusal).rejects.toMatchObject({
      kind: "refused",
      message: expect.stringContaining("CN-FR-04"),
    });
    expect(await testDb.db.select().from(schema.enrolments).where(eq(schema.enrolments.subjectId, id))).toEqual([]);
  });
});

describe("stream analysis", { timeout: 120_000 }, () => {
  let cameraId: string;

  it("recognises only the enrolled person in the clip and keeps nothing of the audience", async () => {
    const camera = await createCamera(
      deps(),
      cameraFields.parse({
        name: "Stage cam",
        siteId,
        entryPointId: null,
        locationType: "entrance",
        frEnabled: true,
        analysisFps: 5,
        rtspUrl: sim.urlOf(1),
      }),
    );
    cameraId = camera.id;
    // Several loops of the 9-second clip, audience included: Lin on stage is one visit, seen
    // again and again (each new track and each re-check is a sighting), not an event each time.
    const events = await waitFor(
      async () => {
        const rows = await testDb.db
          .select()
          .from(schema.recognitionEvents)
          .where(eq(schema.recognitionEvents.cameraId, cameraId));
        return rows.reduce((sum, row) => sum + row.sightings, 0) >= 3 ? rows : undefined;
      },
      60_000,
      "recognition events",
    );
    expect(new Set(events.map((event) => event.subjectId))).toEqual(new Set([linId]));
    expect(events.length).toBeLessThan(events.reduce((sum, row) => sum + row.sightings, 0));
    for (const event of events) {
      expect(event.siteId).toBe(siteId);
      expect(event.modelId).toBe(analyzer.modelId);
      expect(event.score).toBeGreaterThanOrEqual(0.45);
      expect(event.lastSeenAt?.getTime()).toBeGreaterThanOrEqual(event.at.getTime());
      // The site keeps no snapshots (the default).
      expect(event.snapshotPath).toBeNull();
    }
    expect(await readdir(join(storageDir, "event-snapshot")).catch(() => [])).toEqual([]);
    await waitFor(
      async () => {
        const counts = await testDb.db
          .select()
          .from(schema.unknownFaceCounts)
          .where(eq(schema.unknownFaceCounts.cameraId, cameraId));
        return counts.reduce((sum, row) => sum + row.count, 0) > 0;
      },
      30_000,
      "the audience to be counted",
    );

    const [heartbeat] = await readHeartbeats(redis, prefix);
    expect(heartbeat?.cameras.map((c) => c.cameraId)).toEqual([cameraId]);
    expect(heartbeat?.cameras[0]?.framesAnalysed).toBeGreaterThan(10);

    // Privacy: the only templates are Lin's; the only files are the enrolment photos; no
    // Redis key or log line holds a face (coordinates, embeddings, pixels) or its identity.
    const templates = await testDb.db.select().from(schema.faceTemplates);
    expect(new Set(templates.map((t) => t.subjectId))).toEqual(new Set([linId]));
    const keys = await redis.keys(`${prefix}:*`);
    for (const key of keys) {
      const type = await redis.type(key);
      const value =
        type === "string" ? await redis.get(key) : type === "hash" ? JSON.stringify(await redis.hgetall(key)) : "";
      expect(value?.length ?? 0, key).toBeLessThan(20_000);
      expect(value ?? "", key).not.toMatch(/embedding|landmarks|"box"/);
    }
    const logs = logLines.join("\n");
    expect(logs).not.toMatch(/embedding|landmarks|"box"|similarity/);
  });

  it("keeps a sealed snapshot, every face but Lin's blurred, once the site opts in", async () => {
    const site = await getSite({ db: testDb.db, orgId }, { siteId });
    await updateSite({ ...deps(), role: "owner" }, { ...siteFields.parse({ ...site, eventSnapshots: true }), siteId });
    // Read by the camera's settings poll; the visit under way gets its snapshot at its next sighting.
    const event = await waitFor(
      async () => {
        const rows = await testDb.db
          .select()
          .from(schema.recognitionEvents)
          .where(eq(schema.recognitionEvents.cameraId, cameraId));
        return rows.find((row) => row.snapshotPath);
      },
      30_000,
      "an event with a snapshot",
    );
    const key = event.snapshotPath as string;
    const sealed = await readFile(join(storageDir, key));
    expect(sealed.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    // The frame Lin was matched in, with him recognisable (everyone else: see frame-analysis.test.ts).
    const snapshot = await decodeImage(await readEventSnapshot(storage, key));
    expect([snapshot.width, snapshot.height]).toEqual([640, 360]);
    const [lin] = await testDb.db.select().from(schema.faceTemplates).where(eq(schema.faceTemplates.subjectId, linId));
    const linTemplate = { embedding: openEmbedding(lin?.embeddingEnc ?? ""), modelId: analyzer.modelId };
    const similarities = (await analyzer.analyze(snapshot)).map((face) => cosineSimilarity(face, linTemplate));
    // (Re-encoded as JPEG, a match near the threshold may land a little below it.)
    expect(Math.max(...similarities)).toBeGreaterThan(0.35);
    expect(similarities.filter((similarity) => similarity >= 0.45).length).toBeLessThanOrEqual(1);
    // One snapshot for the visit: the sightings after it add none.
    const files = async () =>
      (await readdir(join(storageDir, "event-snapshot"), { recursive: true })).filter((name) => name.endsWith(".bin"));
    expect(await files()).toHaveLength(1);
  });

  it("survives a stream that dies mid-lease, and resumes the camera when it is back", async () => {
    const { id } = await createCamera(
      deps(),
      cameraFields.parse({
        name: "Side door",
        siteId,
        entryPointId: null,
        locationType: "entrance",
        frEnabled: true,
        analysisFps: 2,
        rtspUrl: sim.urlOf(2),
      }),
    );
    const analysing = () => (worker.active.get(id)?.stats.framesAnalysed ?? 0) > 0;
    await waitFor(async () => analysing(), 30_000, "the camera to be analysed");
    await sim.stopCamera(2);
    // The lease fails (reported, not crashed) and the camera leaves the worker.
    await waitFor(
      // The job id carries the camera id (camera-<id>).
      async () => logLines.some((line) => line.includes('"msg":"job failed"') && line.includes(id)),
      20_000,
      "the lease to fail",
    );
    expect(worker.active.has(id)).toBe(false);
    await sim.startCamera(2);
    // Retried with backoff (at most 15 s between attempts) until the stream is back.
    await waitFor(async () => analysing(), 45_000, "the camera to be analysed again");
    // The first camera's lease was never disturbed by the second's failure.
    expect(worker.active.has(cameraId)).toBe(true);
  });

  it("stops recognising a person within 2 s of their consent being withdrawn, while analysis goes on", async () => {
    // Sightings after `at`: a new event, or the visit under way seen again.
    const eventsAfter = async (at: number) =>
      (
        await testDb.db.select().from(schema.recognitionEvents).where(eq(schema.recognitionEvents.cameraId, cameraId))
      ).filter((event) => (event.lastSeenAt ?? event.at).getTime() > at);
    const unknownCounted = async () =>
      (
        await testDb.db.select().from(schema.unknownFaceCounts).where(eq(schema.unknownFaceCounts.cameraId, cameraId))
      ).reduce((sum, row) => sum + row.count, 0);
    const beatOf = async () => (await readHeartbeats(redis, prefix))[0]?.cameras.find((c) => c.cameraId === cameraId);

    // Recognition is ongoing: a fresh event arrives (the clip loops, so tracks start anew).
    const since = Date.now();
    await waitFor(async () => (await eventsAfter(since)).length > 0, 30_000, "a fresh recognition");
    await withdrawConsent(deps(), { consentId: linConsentId, reason: "Left the company" });
    const cutoff = Date.now() + 2000;
    await new Promise((r) => setTimeout(r, cutoff - Date.now()));

    // From the cutoff on the worker keeps analysing the same lease: over a whole loop of the
    // 9-second clip (more than 45 frames at 5 fps, Lin's face included) it counts frames and
    // faces that match nobody, and recognises no one.
    const atCutoff = worker.active.get(cameraId)?.stats.snapshot();
    expect(atCutoff).toBeDefined();
    const start = atCutoff as NonNullable<typeof atCutoff>;
    const end = await waitFor(
      async () => {
        const beat = await beatOf();
        return beat &&
          beat.since === start.since &&
          beat.framesAnalysed - start.framesAnalysed >= 50 &&
          beat.unknownFaces > start.unknownFaces
          ? beat
          : undefined;
      },
      45_000,
      "a whole loop of the clip analysed after the withdrawal",
    );
    expect(end.facesDetected).toBeGreaterThan(start.facesDetected);
    expect(end.recognitions).toBe(start.recognitions);

    // One write carries both the recognition events and the unknown-face counts: once the
    // counts have grown twice after the window, everything found in it is in the database.
    for (let i = 0, counted = await unknownCounted(); i < 2; i++) {
      const before = counted;
      counted = await waitFor(
        async () => {
          const now = await unknownCounted();
          return now > before ? now : undefined;
        },
        20_000,
        "the unknown-face counts to be written",
      );
    }
    expect(await eventsAfter(cutoff)).toEqual([]);
  });

  it("releases the camera within 2 s of face recognition being turned off", async () => {
    expect(worker.active.has(cameraId)).toBe(true);
    const camera = await getCamera(deps(), { cameraId });
    await updateCamera(deps(), {
      ...cameraUpdateFields.parse({
        name: camera.name,
        siteId,
        entryPointId: null,
        locationType: "entrance",
        frEnabled: false,
        analysisFps: 5,
      }),
      cameraId,
    });
    const started = Date.now();
    await waitFor(async () => !worker.active.has(cameraId), 2000, "the lease to end");
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
