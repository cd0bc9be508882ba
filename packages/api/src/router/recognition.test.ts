import type { Principal } from "@consentry/auth";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal } from "../testing";

// The feed shows visits (one event per person per camera visit), and a visit's snapshot is found
// only by operators and up of its own organisation.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgA: string;
let orgB: string;
let siteId: string;
let operator: Principal;
let auditor: Principal;
let operatorB: Principal;
const events = { withSnapshot: 0, without: 0 };
const SNAPSHOT_KEY = `event-snapshot/ab/${"ab".repeat(32)}.bin`;

beforeAll(async () => {
  testDb = await createTestDatabase();
  const { db } = testDb;
  orgA = (await makeOrganization(db)).id;
  orgB = (await makeOrganization(db)).id;
  const manager = await makePrincipal(db, { memberships: [[orgA, "manager"]] });
  operator = await makePrincipal(db, { memberships: [[orgA, "operator"]] });
  auditor = await makePrincipal(db, { memberships: [[orgA, "auditor"]] });
  operatorB = await makePrincipal(db, { memberships: [[orgB, "operator"]] });
  const api = callerFor(db, manager);
  siteId = (
    await api.sites.create({
      orgId: orgA,
      name: "Visit Court",
      address: "1 Century Avenue",
      regionCode: "310115",
      kind: "office",
      templateRetentionDays: 365,
      eventSnapshots: true,
    })
  ).id;
  const [camera] = await db
    .insert(schema.cameras)
    .values({
      orgId: orgA,
      siteId,
      name: "North gate",
      rtspUrlEnc: "v1.test",
      rtspUrlMasked: "rtsp://10.0.0.1/cam",
      locationType: "entrance",
    })
    .returning({ id: schema.cameras.id });
  const subject = await api.subjects.create({
    orgId: orgA,
    displayName: "李雷",
    contact: null,
    isMinor: false,
    birthYear: null,
  });
  const at = new Date("2026-03-02T01:00:00Z");
  const rows = await db
    .insert(schema.recognitionEvents)
    .values([
      {
        orgId: orgA,
        siteId,
        cameraId: camera?.id as string,
        subjectId: subject.id,
        at,
        lastSeenAt: new Date(at.getTime() + 95_000),
        sightings: 7,
        score: 0.81,
        snapshotPath: SNAPSHOT_KEY,
      },
      // Written before visits: no last sighting recorded.
      { orgId: orgA, siteId, cameraId: camera?.id as string, subjectId: subject.id, at, score: 0.6 },
    ])
    .returning({ id: schema.recognitionEvents.id });
  events.withSnapshot = rows[0]?.id as number;
  events.without = rows[1]?.id as number;
});
afterAll(async () => {
  await testDb?.drop();
});

describe("recognition", () => {
  it("shows each visit with its first and last sighting, sightings, best score and whether it has a snapshot", async () => {
    const feed = await callerFor(testDb.db, operator).recognition.feed({ orgId: orgA, siteId });
    const byId = new Map(feed.items.map((item) => [item.id, item]));
    expect(byId.get(events.withSnapshot)).toMatchObject({
      at: new Date("2026-03-02T01:00:00Z"),
      lastSeenAt: new Date("2026-03-02T01:01:35Z"),
      sightings: 7,
      hasSnapshot: true,
      cameraName: "North gate",
    });
    expect(byId.get(events.without)).toMatchObject({
      lastSeenAt: new Date("2026-03-02T01:00:00Z"),
      sightings: 1,
      hasSnapshot: false,
    });
    // Where the file is never reaches the browser.
    expect(JSON.stringify(feed)).not.toContain(SNAPSHOT_KEY);
  });

  it("finds a snapshot for operators of its organisation only", async () => {
    const eventId = events.withSnapshot;
    expect(await callerFor(testDb.db, operator).recognition.snapshot({ orgId: orgA, eventId })).toEqual({
      key: SNAPSHOT_KEY,
    });
    // Each look is on record, naming the event and never where the file is.
    const looks = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "recognition.snapshot.view"), eq(schema.auditLog.orgId, orgA)));
    expect(looks.map((entry) => [entry.actorUserId, entry.targetId])).toEqual([[operator.userId, String(eventId)]]);
    expect(JSON.stringify(looks)).not.toContain(SNAPSHOT_KEY);
    await expect(callerFor(testDb.db, auditor).recognition.snapshot({ orgId: orgA, eventId })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    // Another organisation's event, and an event without a snapshot, are not found.
    await expect(callerFor(testDb.db, operatorB).recognition.snapshot({ orgId: orgB, eventId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      callerFor(testDb.db, operator).recognition.snapshot({ orgId: orgA, eventId: events.without }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
