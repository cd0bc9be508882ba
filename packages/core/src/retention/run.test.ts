import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { encryptString } from "@consentry/crypto";
import { and, eq, schema, sql } from "@consentry/db";
import { RETENTION_KINDS } from "@consentry/db/schema";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSite, getSite, updateSite } from "../sites";
import { createSubject, giveConsent } from "../subjects";
import {
  makeAnalysedSite,
  makeOrganization,
  makeTemplates,
  recognitionConsent,
  TEST_ACTOR,
  temporaryStorage,
  unique,
} from "../testing";
import { consentFields, siteFields, subjectFields } from "../validators";
import { RETENTION_COVERAGE } from "./coverage";
import { siteRetentionPolicy, updateRetentionPolicy } from "./policy";
import { lastRetentionRun, nextRetentionRunAt, retentionDue, runRetention, totalsOf } from "./run";

// The retention job against real PostgreSQL and a real file store: everything past its period is
// deleted (files and all), nothing else, with a certificate per template; a run killed between
// batches is finished by the next with the same end state and the same total counts.

const DAY = 86_400_000;
const { cameraStatusEvents, dsrRequests, enrolmentPhotos, enrolments, faceTemplates, recognitionEvents } = schema;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
const storage = temporaryStorage();
const now = new Date();
const ago = (days: number) => new Date(now.getTime() - days * DAY);

type World = Awaited<ReturnType<typeof plantWorld>>;

/** One site with, of every kind, rows past their period ("due") and rows within it ("kept"). */
async function plantWorld() {
  const db = testDb.db;
  const org = await makeOrganization(db);
  const deps = { db, actor: TEST_ACTOR, orgId: org.id };
  const { siteId, cameraIds } = await makeAnalysedSite(db, org.id, {
    name: unique("Retention Court"),
    cameras: [{ name: "Gate", rtspUrl: `rtsp://10.20.0.1:554/${unique("cam")}`, frEnabled: false }],
  });
  const cameraId = cameraIds[0] as string;
  const { id: subjectId } = await createSubject(
    deps,
    subjectFields.parse({ displayName: "Retention Person", contact: null, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps, consentFields.parse(recognitionConsent(subjectId, siteId)));
  const templateOf = { orgId: org.id, subjectId, siteId, consentId: consent.id };

  // Templates: 365 days after last use. Two long unused (one never used), one used lately.
  const [oldUnused, oldNeverUsed, recentlyUsed] = await makeTemplates(db, templateOf, 3);
  await db
    .update(faceTemplates)
    .set({ createdAt: ago(800), lastUsedAt: ago(400) })
    .where(eq(faceTemplates.id, oldUnused as string));
  await db
    .update(faceTemplates)
    .set({ createdAt: ago(400) })
    .where(eq(faceTemplates.id, oldNeverUsed as string));
  await db
    .update(faceTemplates)
    .set({ createdAt: ago(800), lastUsedAt: ago(3) })
    .where(eq(faceTemplates.id, recentlyUsed as string));

  // Photos: one behind an expiring template, one refused (a bystander), one accepted behind the kept
  // template (policy 0 days: due at once), and one of an enrolment still running (left alone).
  const [done] = await db
    .insert(enrolments)
    .values({ orgId: org.id, subjectId, siteId, consentId: consent.id, status: "done", finishedAt: ago(1) })
    .returning({ id: enrolments.id });
  const [running] = await db
    .insert(enrolments)
    .values({ orgId: org.id, subjectId, siteId, consentId: consent.id, status: "processing" })
    .returning({ id: enrolments.id });
  const photo = async (enrolmentId: string, status: "accepted" | "rejected" | "pending", templateId: string | null) => {
    const { key } = await storage.put("enrolment-photo", new TextEncoder().encode(unique("photo")), "jpg");
    const [row] = await db
      .insert(enrolmentPhotos)
      .values({ enrolmentId, subjectId, position: 0, storageKey: key, status, templateId })
      .returning({ id: enrolmentPhotos.id });
    return { id: row?.id as string, key };
  };
  const photos = {
    ofExpiredTemplate: await photo(done?.id as string, "accepted", oldUnused as string),
    refused: await photo(done?.id as string, "rejected", null),
    ofKeptTemplate: await photo(done?.id as string, "accepted", recentlyUsed as string),
    inProgress: await photo(running?.id as string, "pending", null),
  };

  // Events (30 days), unknown-face counts (90), status history (180): three due, one kept each.
  // Two of the events carry a snapshot (a sealed file): the due one's goes with it.
  const snapshot = async () =>
    (await storage.put("event-snapshot", new TextEncoder().encode(unique("sealed snapshot")), "bin")).key;
  const snapshots = { ofDueEvent: await snapshot(), ofKeptEvent: await snapshot() };
  await db.insert(recognitionEvents).values(
    [40, 31, 31, 2].map((days, index) => ({
      orgId: org.id,
      siteId,
      cameraId,
      subjectId,
      at: ago(days),
      score: 0.9,
      snapshotPath: index === 0 ? snapshots.ofDueEvent : index === 3 ? snapshots.ofKeptEvent : null,
    })),
  );
  await db.execute(sql`insert into unknown_face_counts (camera_id, minute, count)
    select ${cameraId}, date_trunc('minute', ${now.toISOString()}::timestamptz) - make_interval(days => d), 3
    from unnest(array[100, 95, 91, 10]) as d`);
  await db
    .insert(cameraStatusEvents)
    .values([200, 190, 181, 5].map((days) => ({ cameraId, at: ago(days), status: "online" as const })));

  // Portal requests: unverified for 8 days (deleted), closed 40 days ago (contact pseudonymised),
  // closed 4 years ago (deleted), closed yesterday (kept whole).
  const request = async (fields: Partial<typeof dsrRequests.$inferInsert>) => {
    const [row] = await db
      .insert(dsrRequests)
      .values({
        orgId: org.id,
        siteId,
        type: "access",
        referenceCode: unique("R"),
        contactEnc: encryptString('{"email":"someone@example.cn"}', "dsr_requests.contact"),
        contactHash: "c".repeat(64),
        ...fields,
      })
      .returning({ id: dsrRequests.id });
    return row?.id as string;
  };
  const requests = {
    unverified: await request({ submittedAt: ago(8) }),
    closedLately: await request({ status: "completed", verifiedAt: ago(60), closedAt: ago(40) }),
    closedLongAgo: await request({ status: "completed", verifiedAt: ago(1500), closedAt: ago(1200) }),
    closedYesterday: await request({ status: "completed", verifiedAt: ago(5), closedAt: ago(1) }),
    unverifiedToday: await request({ submittedAt: ago(1) }),
  };
  return {
    orgId: org.id,
    siteId,
    cameraId,
    subjectId,
    templates: { oldUnused, oldNeverUsed, recentlyUsed },
    photos,
    snapshots,
    requests,
  };
}

/** What must be left of a world after retention ran to the end. */
async function expectRetained(world: World) {
  const db = testDb.db;
  const templates = await db
    .select({ id: faceTemplates.id })
    .from(faceTemplates)
    .where(eq(faceTemplates.siteId, world.siteId));
  expect(templates.map((row) => row.id)).toEqual([world.templates.recentlyUsed]);
  const photos = await db
    .select({ id: enrolmentPhotos.id })
    .from(enrolmentPhotos)
    .where(eq(enrolmentPhotos.subjectId, world.subjectId));
  expect(photos.map((row) => row.id)).toEqual([world.photos.inProgress.id]);
  for (const gone of [world.photos.ofExpiredTemplate, world.photos.refused, world.photos.ofKeptTemplate]) {
    expect(existsSync(join(storage.root, gone.key))).toBe(false);
  }
  expect(existsSync(join(storage.root, world.photos.inProgress.key))).toBe(true);
  expect(existsSync(join(storage.root, world.snapshots.ofDueEvent))).toBe(false);
  expect(existsSync(join(storage.root, world.snapshots.ofKeptEvent))).toBe(true);
  const count = async (query: ReturnType<typeof sql>) => Number((await db.execute<{ n: number }>(query))[0]?.n);
  expect(await count(sql`select count(*)::int as n from recognition_events where camera_id = ${world.cameraId}`)).toBe(
    1,
  );
  expect(await count(sql`select count(*)::int as n from unknown_face_counts where camera_id = ${world.cameraId}`)).toBe(
    1,
  );
  expect(
    await count(sql`select count(*)::int as n from camera_status_events where camera_id = ${world.cameraId}`),
  ).toBe(1);
  const requests = await db
    .select({
      id: dsrRequests.id,
      contactEnc: dsrRequests.contactEnc,
      pseudonymisedAt: dsrRequests.contactPseudonymisedAt,
    })
    .from(dsrRequests)
    .where(eq(dsrRequests.siteId, world.siteId));
  const byId = new Map(requests.map((row) => [row.id, row]));
  expect(byId.has(world.requests.unverified)).toBe(false);
  expect(byId.has(world.requests.closedLongAgo)).toBe(false);
  expect(byId.get(world.requests.closedLately)).toMatchObject({ contactEnc: null, pseudonymisedAt: expect.any(Date) });
  expect(byId.get(world.requests.closedYesterday)?.contactEnc).toEqual(expect.any(String));
  expect(byId.get(world.requests.unverifiedToday)?.contactEnc).toEqual(expect.any(String));
  expect((await retentionDue(db, { now, siteIds: [world.siteId] })).get(world.siteId) ?? {}).toEqual({});
}

const EXPECTED_COUNTS = {
  templates: 2,
  enrolment_photos: 3,
  photo_files: 3,
  recognition_events: 3,
  unknown_face_counts: 3,
  camera_status_history: 3,
  unverified_requests: 1,
  portal_contact: 1,
  portal_requests: 1,
};

beforeAll(async () => {
  testDb = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await testDb?.drop();
  await rm(storage.root, { recursive: true, force: true });
});

describe("retention policy", () => {
  it("gives every site a row for every kind, with the defaults, however the site was created", async () => {
    const org = await makeOrganization(testDb.db);
    const [site] = await testDb.db
      .insert(schema.sites)
      .values({
        orgId: org.id,
        code: unique("S").slice(0, 20),
        name: unique("Raw"),
        address: "x",
        regionCode: "310101",
        kind: "office",
      })
      .returning({ id: schema.sites.id });
    const { policy } = await siteRetentionPolicy(testDb.db, { orgId: org.id, siteId: site?.id as string });
    expect(Object.fromEntries(policy.map((row) => [row.kind, row.days]))).toEqual({
      templates: 365,
      recognition_events: 30,
      unknown_face_counts: 90,
      enrolment_photos: 0,
      camera_status_history: 180,
      portal_requests: 1095,
      portal_contact: 30,
      unverified_requests: 7,
    });
    expect(
      policy
        .map((row) => row.kind)
        .slice(1)
        .sort(),
    ).toEqual([...RETENTION_KINDS].sort());
  });

  it("classifies every table: a retention kind, or why it holds nothing personal or is kept on purpose", async () => {
    const tables = await testDb.db.execute<{ table_name: string }>(
      sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
    );
    const unclassified = tables.map((row) => row.table_name).filter((name) => !(name in RETENTION_COVERAGE));
    expect(unclassified).toEqual([]);
    const kinds = Object.values(RETENTION_COVERAGE).flatMap((entry) => entry.kinds ?? []);
    for (const kind of [...RETENTION_KINDS, "templates", "sessions", "verifications"]) expect(kinds).toContain(kind);
  });

  it("refuses a photo period longer than the templates' and an Illinois template period over 3 years", async () => {
    const world = await plantWorld();
    const deps = { db: testDb.db, actor: TEST_ACTOR, orgId: world.orgId };
    await expect(
      updateRetentionPolicy(deps, { siteId: world.siteId, kind: "enrolment_photos", days: 400 }),
    ).rejects.toMatchObject({
      field: "days",
      reason: "retentionPhotosLongerThanTemplates",
    });
    await testDb.db
      .update(schema.organizations)
      .set({ jurisdictionProfile: "US-IL" })
      .where(eq(schema.organizations.id, world.orgId));
    await expect(
      updateRetentionPolicy(deps, { siteId: world.siteId, kind: "templates", days: 1096 }),
    ).rejects.toMatchObject({
      reason: "retentionTemplatesMax",
    });
    await updateRetentionPolicy(deps, { siteId: world.siteId, kind: "recognition_events", days: 7 });
    const audit = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "retention.policy.update"), eq(schema.auditLog.targetId, world.siteId)));
    expect(audit.map((row) => row.details)).toEqual([{ kind: "recognition_events", from: 30, to: 7 }]);
    // The site form is held to the same limits.
    await expect(
      createSite(
        deps,
        siteFields.parse({
          name: unique("IL"),
          address: "1 Lake Shore Drive",
          regionCode: "310101",
          kind: "office",
          templateRetentionDays: 2000,
        }),
      ),
    ).rejects.toMatchObject({ field: "templateRetentionDays", reason: "retentionTemplatesMax" });
    await updateRetentionPolicy(deps, { siteId: world.siteId, kind: "enrolment_photos", days: 60 });
    const site = await getSite({ db: testDb.db, orgId: world.orgId }, { siteId: world.siteId });
    await expect(
      updateSite(
        { ...deps, role: "owner" },
        { ...siteFields.parse({ ...site, templateRetentionDays: 30 }), siteId: world.siteId },
      ),
    ).rejects.toMatchObject({ field: "templateRetentionDays", reason: "retentionPhotosLongerThanTemplates" });
    // Another organisation's site is not found, and nothing changes.
    const other = await makeOrganization(testDb.db);
    await expect(
      updateRetentionPolicy(
        { ...deps, orgId: other.id },
        { siteId: world.siteId, kind: "recognition_events", days: 1 },
      ),
    ).rejects.toMatchObject({ kind: "notFound" });
  });
});

describe("retention run", () => {
  it("deletes what is due, files included, keeps the rest, certifies each template and reports per site", async () => {
    const world = await plantWorld();
    const dryRun = (await retentionDue(testDb.db, { now, siteIds: [world.siteId] })).get(world.siteId);
    const { photo_files: _files, ...dueKinds } = EXPECTED_COUNTS;
    expect(dryRun).toEqual(dueKinds);

    const result = await runRetention({ db: testDb.db, storage, now, batchSize: 2 });
    expect(result.counts[world.siteId]).toEqual(EXPECTED_COUNTS);
    expect(result.templateSiteIds).toContain(world.siteId);
    await expectRetained(world);

    const certificates = await testDb.db
      .select()
      .from(schema.retentionCertificates)
      .where(eq(schema.retentionCertificates.siteId, world.siteId));
    expect(certificates.map((row) => row.templateId).sort()).toEqual(
      [world.templates.oldUnused, world.templates.oldNeverUsed].sort(),
    );
    expect(certificates.find((row) => row.templateId === world.templates.oldUnused)?.certificate).toMatchObject({
      reason: "retention_expired",
      retentionDays: 365,
      photos: 1,
      runId: result.runId,
    });
    const run = await lastRetentionRun(testDb.db);
    expect(run).toMatchObject({ id: result.runId, status: "completed" });
    const [audit] = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "retention.run"), eq(schema.auditLog.targetId, result.runId)));
    expect(audit?.details).toMatchObject({ totals: expect.objectContaining({ templates: expect.any(Number) }) });

    // A second run finds nothing more at this site.
    const again = await runRetention({ db: testDb.db, storage, now });
    expect(again.counts[world.siteId]).toBeUndefined();
  });

  it("finishes a run killed between batches, with the same end state and the same total counts", async () => {
    const world = await plantWorld();
    let batches = 0;
    const killed = new Promise<void>((resolve) => {
      // The third batch never returns: as if the process died there, its heartbeat then goes stale.
      void runRetention({
        db: testDb.db,
        storage,
        now,
        batchSize: 1,
        afterBatch: () => {
          if (++batches < 3) return;
          resolve();
          return new Promise<void>(() => {});
        },
      });
    });
    await killed;
    const [dead] = await testDb.db
      .update(schema.retentionRuns)
      .set({ heartbeatAt: new Date(Date.now() - 10 * 60_000) })
      .where(eq(schema.retentionRuns.status, "running"))
      .returning({ id: schema.retentionRuns.id });
    const resumed = await runRetention({ db: testDb.db, storage, now });
    await expectRetained(world);

    const [interrupted] = await testDb.db
      .select()
      .from(schema.retentionRuns)
      .where(eq(schema.retentionRuns.id, dead?.id as string));
    expect(interrupted?.status).toBe("interrupted");
    const totals = totalsOf({
      a: interrupted?.counts[world.siteId] ?? {},
      b: resumed.counts[world.siteId] ?? {},
    });
    expect(totals).toEqual(EXPECTED_COUNTS);
  });

  it("runs hourly at minute 15", () => {
    expect(nextRetentionRunAt(new Date("2026-12-01T08:14:59Z")).toISOString()).toBe("2026-12-01T08:15:00.000Z");
    expect(nextRetentionRunAt(new Date("2026-12-01T08:15:00Z")).toISOString()).toBe("2026-12-01T09:15:00.000Z");
  });
});
