import { createSubject } from "@consentry/core/subjects";
import { makeAnalysedSite, makeOrganization, recordingJobs, TEST_ACTOR } from "@consentry/core/testing";
import { subjectFields } from "@consentry/core/validators";
import { createDatabase, eq, schema, sql } from "@consentry/db";
import { ensureAppLogin } from "@consentry/db/migrate";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { EventWriter, type EventWriterNote, type RecognitionEvent } from "./events";

// The writer connects as the application's role, as in production; the test takes INSERT on the
// event tables away from that role for a while (as the superuser) to make every insert fail.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let app: ReturnType<typeof createDatabase>;
let base: Omit<RecognitionEvent, "at" | "score" | "cameraId">;
const cameraIds: string[] = [];

const denyInserts = () =>
  testDb.db.execute(sql`revoke insert on recognition_events, unknown_face_counts from consentry_app`);
const allowInserts = () =>
  testDb.db.execute(sql`grant insert on recognition_events, unknown_face_counts to consentry_app`);
const eventsOf = (cameraId: string) =>
  testDb.db.select().from(schema.recognitionEvents).where(eq(schema.recognitionEvents.cameraId, cameraId));
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
});

it("retries failed inserts with backoff until the database takes them: every batch lands, once", {
  timeout: 60_000,
}, async () => {
  const cameraId = cameraIds[0] as string;
  const notes: EventWriterNote[] = [];
  const writer = new EventWriter(app.db, (note) => notes.push(note), { flushEveryMs: 100, maxRetryDelayMs: 800 });
  try {
    await denyInserts();
    // About 30 batches over 3 s while every insert fails.
    const sent: number[] = [];
    const started = Date.now();
    for (let i = 0; Date.now() - started < 3000; i++) {
      const at = started + i;
      writer.recognised({ ...base, cameraId, score: 0.5 + (i % 100) / 1000, at: new Date(at) });
      writer.unknownFace(cameraId, at);
      sent.push(at);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await eventsOf(cameraId)).toEqual([]);
    await allowInserts();
    await waitFor(async () => (await eventsOf(cameraId)).length >= sent.length, 10_000, "every event written");
    await writer.flush();
    const rows = await eventsOf(cameraId);
    expect(rows.map((row) => row.at.getTime()).sort((a, b) => a - b)).toEqual(sent);
    expect(await unknownOf(cameraId)).toBe(sent.length);
    expect(writer.stats()).toMatchObject({ pendingBatches: 0, droppedBatches: 0, droppedEvents: 0 });
    expect(writer.stats().failedWrites).toBeGreaterThan(1);
    // The log says what failed by code and count; no event's content.
    expect(notes.some((note) => note.counts.code === "42501")).toBe(true);
    expect(JSON.stringify(notes)).not.toContain(base.subjectId);
  } finally {
    await allowInserts();
    await writer.close();
  }
});

it("bounds the buffer during a long outage: the oldest batches are dropped and counted", {
  timeout: 60_000,
}, async () => {
  const cameraId = cameraIds[1] as string;
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
        writer.recognised({ ...base, cameraId, score: 0.6, at: new Date(at + batch * 10 + i) });
      }
      await writer.flush({ force: true });
    }
    expect(writer.stats()).toMatchObject({ pendingBatches: 3, pendingEvents: 6, droppedBatches: 2, droppedEvents: 4 });
    expect(notes.filter((note) => note.message.includes("dropped")).map((note) => note.counts.batches)).toEqual([1, 1]);
    await allowInserts();
    await writer.flush({ force: true });
    expect(writer.stats()).toMatchObject({ pendingBatches: 0, droppedBatches: 2, writtenBatches: 3 });
    // The newest three batches, whole.
    const rows = await eventsOf(cameraId);
    expect(rows.map((row) => row.at.getTime() - at).sort((a, b) => a - b)).toEqual([20, 21, 30, 31, 40, 41]);
  } finally {
    await allowInserts();
    await writer.close();
  }
});

it("withholds events found after this worker lost the camera's lease", async () => {
  const cameraId = cameraIds[1] as string;
  const lostAt = Date.now();
  const writer = new EventWriter(app.db, () => {}, {
    flushEveryMs: 3_600_000,
    lostSince: async (ids) => new Map(ids.map((id) => [id, lostAt])),
  });
  try {
    const before = (await eventsOf(cameraId)).length;
    writer.recognised({ ...base, cameraId, score: 0.7, at: new Date(lostAt - 500) });
    writer.recognised({ ...base, cameraId, score: 0.7, at: new Date(lostAt + 500) });
    await writer.flush();
    expect((await eventsOf(cameraId)).length).toBe(before + 1);
    expect(writer.stats().unownedEvents).toBe(1);
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
  const writer = new EventWriter(app.db, () => {}, { flushEveryMs: 3_600_000 });
  try {
    const at = new Date();
    const before = { events: (await eventsOf(cameraId)).length, unknown: await unknownOf(cameraId) };
    writer.recognised({ ...base, cameraId, score: 0.8, at });
    writer.recognised({ ...base, cameraId, templateId: deletedId, score: 0.8, at });
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
    expect(rows.filter((row) => row.templateId && row.templateId !== base.templateId)).toEqual([]);
    expect(rows.filter((row) => row.subjectId === erased.id)).toEqual([]);
    expect(await unknownOf(cameraId)).toBe(before.unknown + 1);
    expect(writer.stats()).toMatchObject({ goneEvents: 3, failedWrites: 0, writtenBatches: 1 });
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
