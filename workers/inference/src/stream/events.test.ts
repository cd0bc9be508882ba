import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { createSubject } from "@consentry/core/subjects";
import {
  makeAnalysedSite,
  makeOrganization,
  recordingJobs,
  TEST_ACTOR,
  temporaryStorage,
  unique,
} from "@consentry/core/testing";
import { subjectFields } from "@consentry/core/validators";
import { asc, createDatabase, eq, schema, sql } from "@consentry/db";
import { ensureAppLogin } from "@consentry/db/migrate";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EventWriter, type EventWriterNote, type RecognitionEvent, visitsOf } from "./events";

// The writer connects as the application's role, as in production; the test takes INSERT on the
// event tables away from that role for a while (as the superuser) to make every insert fail.
// Sightings of one person at one camera less than the track gap apart are one event (a visit), so
// each test sees its own person.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let app: ReturnType<typeof createDatabase>;
let base: Omit<RecognitionEvent, "at" | "score" | "cameraId">;
const cameraIds: string[] = [];
const storage = temporaryStorage();
const SECOND = 1000;

const denyInserts = () =>
  testDb.db.execute(sql`revoke insert on recognition_events, unknown_face_counts from consentry_app`);
const allowInserts = () =>
  testDb.db.execute(sql`grant insert on recognition_events, unknown_face_counts to consentry_app`);
const eventsOf = (cameraId: string) =>
  testDb.db.select().from(schema.recognitionEvents).where(eq(schema.recognitionEvents.cameraId, cameraId));
const eventsOfPerson = (subjectId: string) =>
  testDb.db
    .select()
    .from(schema.recognitionEvents)
    .where(eq(schema.recognitionEvents.subjectId, subjectId))
    .orderBy(asc(schema.recognitionEvents.at), asc(schema.recognitionEvents.cameraId));
const stored = (key: string) => existsSync(join(storage.root, key));
const unknownOf = async (cameraId: string) =>
  (
    await testDb.db.select().from(schema.unknownFaceCounts).where(eq(schema.unknownFaceCounts.cameraId, cameraId))
  ).reduce((sum, row) => sum + row.count, 0);

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = createDatabase(await ensureAppLogin(testDb.url), { applicationName: "consentry-test-events", max: 2 });
  const orgId = (await makeOrganization(testDb.db)).id;
  const deps = { db: testDb.db, actor: TEST_ACTOR, orgId, jobs: recordingJobs() };
  const { siteId, cameraIds: made } = await makeAnalysedSite(testDb.db, orgId, {
    name: "Events Hall",
    cameras: ["Gate A", "Gate B"].map((name, i) => ({
      name,
      rtspUrl: `rtsp://127.0.0.1:8554/cam${i + 1}`,
      frEnabled: false,
    })),
  });
  cameraIds.push(...made);
  const subject = await createSubject(
    deps,
    subjectFields.parse({ displayName: "Event Person", contact: null, isMinor: false, birthYear: null }),
  );
  const [template] = await testDb.db
    .insert(schema.faceTemplates)
    .values({
      orgId,
      subjectId: subject.id,
      siteId: siteId,
      modelId: "test-model",
      modelVersion: "1",
      embeddingEnc: "v1.test",
    })
    .returning();
  base = { orgId, siteId: siteId, subjectId: subject.id, templateId: template?.id ?? "", modelId: "test-model" };
}, 60_000);

afterAll(async () => {
  await app?.close();
  await testDb?.drop();
  await rm(storage.root, { recursive: true, force: true });
});

/** A person of their own with a template at the site: what `base` is, for one test. */
async function freshPerson(): Promise<typeof base> {
  const deps = { db: testDb.db, actor: TEST_ACTOR, orgId: base.orgId, jobs: recordingJobs() };
  const subject = await createSubject(
    deps,
    subjectFields.parse({ displayName: unique("Person"), contact: null, isMinor: false, birthYear: null }),
  );
  return { ...base, subjectId: subject.id, templateId: await makeTemplate(subject.id) };
}

it("retries failed inserts with backoff until the database takes them: every batch lands, once", {
  timeout: 60_000,
}, async () => {
  const cameraId = cameraIds[0] as string;
  const person = await freshPerson();
  const notes: EventWriterNote[] = [];
  const writer = new EventWriter(app.db, (note) => notes.push(note), { flushEveryMs: 100, maxRetryDelayMs: 800 });
  try {
    const unknownBefore = await unknownOf(cameraId);
    await denyInserts();
    // About 30 batches over 3 s while every insert fails: one person seen on and on, one visit.
    const sent: number[] = [];
    const started = Date.now();
    for (let i = 0; Date.now() - started < 3000; i++) {
      const at = started + i * 100;
      writer.recognised({ ...person, cameraId, score: 0.5 + (i % 100) / 1000, at: new Date(at) });
      writer.unknownFace(cameraId, at);
      sent.push(at);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await eventsOfPerson(person.subjectId)).toEqual([]);
    await allowInserts();
    const sightings = async () => (await eventsOfPerson(person.subjectId)).reduce((sum, row) => sum + row.sightings, 0);
    await waitFor(async () => (await sightings()) >= sent.length, 10_000, "every sighting written");
    await writer.flush();
    // Every batch landed exactly once: one event, as many sightings as were sent.
    const rows = await eventsOfPerson(person.subjectId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      at: new Date(sent[0] as number),
      lastSeenAt: new Date(sent.at(-1) as number),
      sightings: sent.length,
    });
    expect(rows[0]?.score).toBeCloseTo(0.5 + (sent.length - 1) / 1000, 5);
    expect(await unknownOf(cameraId)).toBe(unknownBefore + sent.length);
    expect(writer.stats()).toMatchObject({ pendingBatches: 0, droppedBatches: 0, droppedEvents: 0 });
    expect(writer.stats().failedWrites).toBeGreaterThan(1);
    // The log says what failed by code and count; no event's content.
    expect(notes.some((note) => note.counts.code === "42501")).toBe(true);
    expect(JSON.stringify(notes)).not.toContain(person.subjectId);
  } finally {
    await allowInserts();
    await writer.close();
  }
});

it("bounds the buffer during a long outage: the oldest batches are dropped and counted", {
  timeout: 60_000,
}, async () => {
  const cameraId = cameraIds[1] as string;
  const person = await freshPerson();
  const notes: EventWriterNote[] = [];
  // Flushed by hand: one batch per flush.
  const writer = new EventWriter(app.db, (note) => notes.push(note), {
    flushEveryMs: 3_600_000,
    maxBatches: 3,
    maxRetryDelayMs: 500,
  });
  try {
    await denyInserts();
    const at = Date.now();
    for (let batch = 0; batch < 5; batch++) {
      for (let i = 0; i < 2; i++) {
        writer.recognised({ ...person, cameraId, score: 0.6, at: new Date(at + batch * 10 + i) });
      }
      await writer.flush({ force: true });
    }
    expect(writer.stats()).toMatchObject({ pendingBatches: 3, pendingEvents: 6, droppedBatches: 2, droppedEvents: 4 });
    expect(notes.filter((note) => note.message.includes("dropped")).map((note) => note.counts.batches)).toEqual([1, 1]);
    await allowInserts();
    await writer.flush({ force: true });
    expect(writer.stats()).toMatchObject({ pendingBatches: 0, droppedBatches: 2, writtenBatches: 3 });
    // The newest three batches, whole: six sightings of one visit, from 20 to 41.
    const rows = await eventsOfPerson(person.subjectId);
    expect(rows.map((row) => [row.at.getTime() - at, (row.lastSeenAt?.getTime() ?? 0) - at, row.sightings])).toEqual([
      [20, 41, 6],
    ]);
  } finally {
    await allowInserts();
    await writer.close();
  }
});

it("withholds events found after this worker lost the camera's lease", async () => {
  const cameraId = cameraIds[1] as string;
  const person = await freshPerson();
  const lostAt = Date.now();
  const writer = new EventWriter(app.db, () => {}, {
    flushEveryMs: 3_600_000,
    storage,
    lostSince: async (ids) => new Map(ids.map((id) => [id, lostAt])),
  });
  try {
    const withheld = await snapshotFile();
    writer.recognised({ ...person, cameraId, score: 0.7, at: new Date(lostAt - 500) });
    writer.recognised({ ...person, cameraId, score: 0.7, at: new Date(lostAt + 500), snapshotKey: withheld });
    await writer.flush();
    expect((await eventsOfPerson(person.subjectId)).map((row) => row.sightings)).toEqual([1]);
    expect(writer.stats()).toMatchObject({ unownedEvents: 1, snapshotsDiscarded: 1 });
    expect(stored(withheld)).toBe(false);
  } finally {
    await writer.close();
  }
});

async function makeTemplate(subjectId = base.subjectId) {
  const [template] = await testDb.db
    .insert(schema.faceTemplates)
    .values({
      orgId: base.orgId,
      siteId: base.siteId,
      subjectId,
      modelId: base.modelId,
      modelVersion: "1",
      embeddingEnc: "v1.test",
    })
    .returning({ id: schema.faceTemplates.id });
  return template?.id as string;
}

it("writes no event for a template deleted or queued for deletion, or a person erased, just before the insert", async () => {
  const cameraId = cameraIds[0] as string;
  const deps = { db: testDb.db, actor: TEST_ACTOR, orgId: base.orgId, jobs: recordingJobs() };
  const erased = await createSubject(
    deps,
    subjectFields.parse({ displayName: "Erased Person", contact: null, isMinor: false, birthYear: null }),
  );
  const [deletedId, queuedId, erasedId] = [await makeTemplate(), await makeTemplate(), await makeTemplate(erased.id)];
  const writer = new EventWriter(app.db, () => {}, { flushEveryMs: 3_600_000, storage });
  try {
    const at = new Date();
    const before = { events: (await eventsOf(cameraId)).length, unknown: await unknownOf(cameraId) };
    const ofGone = await snapshotFile();
    writer.recognised({ ...base, cameraId, score: 0.8, at });
    writer.recognised({ ...base, cameraId, templateId: deletedId, score: 0.8, at, snapshotKey: ofGone });
    writer.recognised({ ...base, cameraId, templateId: queuedId, score: 0.8, at });
    writer.recognised({ ...base, cameraId, subjectId: erased.id, templateId: erasedId, score: 0.8, at });
    writer.unknownFace(cameraId, at.getTime());
    // After the events were found, before their batch is written.
    await testDb.db.delete(schema.faceTemplates).where(eq(schema.faceTemplates.id, deletedId));
    await testDb.db
      .update(schema.faceTemplates)
      .set({ deletionQueuedAt: new Date() })
      .where(eq(schema.faceTemplates.id, queuedId));
    await testDb.db.update(schema.subjects).set({ erasedAt: new Date() }).where(eq(schema.subjects.id, erased.id));
    await writer.flush();
    const rows = await eventsOf(cameraId);
    expect(rows.length).toBe(before.events + 1);
    expect(rows.filter((row) => row.templateId && [deletedId, queuedId, erasedId].includes(row.templateId))).toEqual(
      [],
    );
    expect(rows.filter((row) => row.subjectId === erased.id)).toEqual([]);
    expect(await unknownOf(cameraId)).toBe(before.unknown + 1);
    expect(writer.stats()).toMatchObject({ goneEvents: 3, failedWrites: 0, writtenBatches: 1, snapshotsDiscarded: 1 });
    // The erased person's or withdrawn template's snapshot is not kept either.
    expect(stored(ofGone)).toBe(false);
  } finally {
    await writer.close();
  }
});

it("a template deletion in progress at the insert: the insert waits for it and skips the event, the batch does not fail", {
  timeout: 30_000,
}, async () => {
  const cameraId = cameraIds[1] as string;
  const templateId = await makeTemplate();
  const writer = new EventWriter(app.db, () => {}, { flushEveryMs: 3_600_000 });
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  let deleting = false;
  const deletion = testDb.db.transaction(async (tx) => {
    await tx.delete(schema.faceTemplates).where(eq(schema.faceTemplates.id, templateId));
    deleting = true;
    await held;
  });
  try {
    await waitFor(() => deleting, 5000, "the deletion to start");
    const before = (await eventsOf(cameraId)).length;
    writer.recognised({ ...base, cameraId, templateId, score: 0.8, at: new Date() });
    writer.recognised({ ...base, cameraId, score: 0.8, at: new Date() });
    const flushing = writer.flush();
    await waitFor(
      async () => {
        const [row] = await testDb.db.execute<{ waiting: number }>(sql`
          select count(*)::int as waiting from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`);
        return (row?.waiting ?? 0) > 0;
      },
      5000,
      "the insert to wait for the deletion",
    );
    release();
    await deletion;
    await flushing;
    const rows = await eventsOf(cameraId);
    expect(rows.length).toBe(before + 1);
    expect(rows.filter((row) => row.templateId === templateId)).toEqual([]);
    expect(writer.stats()).toMatchObject({ goneEvents: 1, failedWrites: 0, pendingBatches: 0 });
  } finally {
    release();
    await deletion;
    await writer.close();
  }
});

/** A stored file standing in for a sealed snapshot (the writer only keeps or removes its key). */
async function snapshotFile() {
  return (await storage.put("event-snapshot", new TextEncoder().encode(unique("sealed")), "bin")).key;
}

it("folds sightings into visits: the same person at the same camera within the gap is one event", async () => {
  const [gateA, gateB] = cameraIds as [string, string];
  const person = await freshPerson();
  const other = await freshPerson();
  const writer = new EventWriter(app.db, () => {}, { flushEveryMs: 3_600_000, trackGapMs: 60 * SECOND });
  try {
    const t0 = Date.now() - 10 * 60 * SECOND;
    const seen = (who: typeof base, cameraId: string, offset: number, score = 0.6) =>
      writer.recognised({ ...who, cameraId, score, at: new Date(t0 + offset) });
    // One batch: three sightings less than a minute apart, another camera, another person.
    seen(person, gateA, 0);
    seen(person, gateA, 20 * SECOND, 0.8);
    seen(person, gateA, 50 * SECOND);
    seen(person, gateB, 10 * SECOND);
    seen(other, gateA, 30 * SECOND);
    await writer.flush();
    // Later batches: 55 s after the last sighting extends the visit; 61 s after that starts a new one.
    seen(person, gateA, 105 * SECOND, 0.7);
    await writer.flush();
    seen(person, gateA, 166 * SECOND, 0.65);
    seen(person, gateA, 170 * SECOND);
    await writer.flush();
    const visits = (await eventsOfPerson(person.subjectId)).map((row) => ({
      camera: row.cameraId === gateA ? "A" : "B",
      from: (row.at.getTime() - t0) / SECOND,
      to: ((row.lastSeenAt?.getTime() ?? 0) - t0) / SECOND,
      sightings: row.sightings,
      score: Number(row.score.toFixed(2)),
    }));
    expect(visits).toEqual([
      { camera: "A", from: 0, to: 105, sightings: 4, score: 0.8 },
      { camera: "B", from: 10, to: 10, sightings: 1, score: 0.6 },
      { camera: "A", from: 166, to: 170, sightings: 2, score: 0.65 },
    ]);
    expect((await eventsOfPerson(other.subjectId)).map((row) => row.sightings)).toEqual([1]);
    expect(writer.stats()).toMatchObject({ goneEvents: 0, failedWrites: 0 });
  } finally {
    await writer.close();
  }
});

it("keeps a visit's first snapshot while the site keeps snapshots, and removes every file no event holds", async () => {
  const cameraId = cameraIds[0] as string;
  const person = await freshPerson();
  const writer = new EventWriter(app.db, () => {}, { flushEveryMs: 3_600_000, storage });
  const keepSnapshots = (on: boolean) =>
    testDb.db.update(schema.sites).set({ eventSnapshots: on }).where(eq(schema.sites.id, base.siteId));
  try {
    await keepSnapshots(true);
    const t0 = Date.now() - 10 * 60 * SECOND;
    const [first, sameBatch, laterBatch, whileOff] = [
      await snapshotFile(),
      await snapshotFile(),
      await snapshotFile(),
      await snapshotFile(),
    ];
    writer.recognised({ ...person, cameraId, score: 0.6, at: new Date(t0), snapshotKey: first });
    writer.recognised({ ...person, cameraId, score: 0.6, at: new Date(t0 + SECOND), snapshotKey: sameBatch });
    await writer.flush();
    // A worker that restarted mid-visit takes another: the event keeps the one it has.
    writer.recognised({ ...person, cameraId, score: 0.6, at: new Date(t0 + 2 * SECOND), snapshotKey: laterBatch });
    await writer.flush();
    expect((await eventsOfPerson(person.subjectId)).map((row) => [row.sightings, row.snapshotPath])).toEqual([
      [3, first],
    ]);
    expect([first, sameBatch, laterBatch].map(stored)).toEqual([true, false, false]);

    // Turned off: a new visit's snapshot is not kept, whatever the worker still sent.
    await keepSnapshots(false);
    writer.recognised({ ...person, cameraId, score: 0.6, at: new Date(t0 + 5 * 60 * SECOND), snapshotKey: whileOff });
    await writer.flush();
    expect((await eventsOfPerson(person.subjectId)).map((row) => row.snapshotPath)).toEqual([first, null]);
    expect(stored(whileOff)).toBe(false);
    expect(writer.stats().snapshotsDiscarded).toBe(3);
  } finally {
    await keepSnapshots(false);
    await writer.close();
  }
});

it("removes the snapshots of batches it drops", async () => {
  const cameraId = cameraIds[1] as string;
  const person = await freshPerson();
  const writer = new EventWriter(app.db, () => {}, {
    flushEveryMs: 3_600_000,
    maxBatches: 1,
    maxRetryDelayMs: 500,
    closeTimeoutMs: 300,
    storage,
  });
  const [dropped, atShutdown] = [await snapshotFile(), await snapshotFile()];
  try {
    await denyInserts();
    writer.recognised({ ...person, cameraId, score: 0.6, at: new Date(), snapshotKey: dropped });
    await writer.flush({ force: true });
    writer.recognised({ ...person, cameraId, score: 0.6, at: new Date(), snapshotKey: atShutdown });
    await writer.flush({ force: true });
    expect(stored(dropped)).toBe(false);
    expect(stored(atShutdown)).toBe(true);
  } finally {
    await writer.close();
    await allowInserts();
  }
  // Still unwritten at shutdown: dropped, its file with it.
  expect(stored(atShutdown)).toBe(false);
  expect(writer.stats()).toMatchObject({ droppedBatches: 2, snapshotsDiscarded: 2 });
});

it("folds a batch in time order, whatever order its sightings came in", () => {
  const at = (seconds: number) => new Date(1_700_000_000_000 + seconds * SECOND);
  const sighting = (subjectId: string, seconds: number, score = 0.5) => ({
    ...base,
    cameraId: "c",
    subjectId,
    score,
    at: at(seconds),
  });
  const visits = visitsOf([sighting("p", 70), sighting("p", 0, 0.9), sighting("q", 5), sighting("p", 30)], 60 * SECOND);
  expect(visits.map((v) => [v.subjectId, v.at.getTime(), v.lastSeenAt.getTime(), v.sightings, v.score])).toEqual([
    ["p", at(0).getTime(), at(70).getTime(), 3, 0.9],
    ["q", at(5).getTime(), at(5).getTime(), 1, 0.5],
  ]);
  expect(visitsOf([sighting("p", 0), sighting("p", 60)], 60 * SECOND).map((v) => v.sightings)).toEqual([1, 1]);
});
