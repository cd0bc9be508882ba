import type { Principal } from "@consentry/auth";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal } from "../testing";

// Issue #15: a site's retention policy, read by every member and changed by owners only, audited.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgA: string;
let orgB: string;
let orgIL: string;
let ownerA: Principal;
let managerA: Principal;
let operatorA: Principal;
let auditorA: Principal;
let ownerB: Principal;
let ownerIL: Principal;
let regulator: Principal;
let siteA: string;
let siteB: string;
let siteIL: string;

const site = { address: "1 Road", regionCode: "310101", kind: "office" as const, templateRetentionDays: 365 };
const as = (principal: Principal) => callerFor(testDb.db, principal);
const policyRows = () =>
  testDb.db
    .select()
    .from(schema.retentionPolicies)
    .orderBy(schema.retentionPolicies.siteId, schema.retentionPolicies.kind);
const daysOf = async (caller: Principal, orgId: string, siteId: string) =>
  Object.fromEntries(
    (await as(caller).retention.site({ orgId, siteId })).policy.map((row) => [row.kind, row.days] as const),
  );

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgA = (await makeOrganization(testDb.db)).id;
  orgB = (await makeOrganization(testDb.db)).id;
  orgIL = (await makeOrganization(testDb.db)).id;
  await testDb.db
    .update(schema.organizations)
    .set({ jurisdictionProfile: "US-IL" })
    .where(eq(schema.organizations.id, orgIL));
  ownerA = await makePrincipal(testDb.db, { memberships: [[orgA, "owner"]] });
  managerA = await makePrincipal(testDb.db, { memberships: [[orgA, "manager"]] });
  operatorA = await makePrincipal(testDb.db, { memberships: [[orgA, "operator"]] });
  auditorA = await makePrincipal(testDb.db, { memberships: [[orgA, "auditor"]] });
  ownerB = await makePrincipal(testDb.db, { memberships: [[orgB, "owner"]] });
  ownerIL = await makePrincipal(testDb.db, { memberships: [[orgIL, "owner"]] });
  regulator = await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] });
  siteA = (await as(ownerA).sites.create({ orgId: orgA, name: "Site A", ...site })).id;
  siteB = (await as(ownerB).sites.create({ orgId: orgB, name: "Site B", ...site })).id;
  siteIL = (await as(ownerIL).sites.create({ orgId: orgIL, name: "Site IL", ...site })).id;
});
afterAll(async () => {
  await testDb?.drop();
});

describe("retention policy", () => {
  it("shows every member the site's lawful defaults, templates first, and when the job runs next", async () => {
    for (const member of [ownerA, managerA, operatorA, auditorA]) {
      const report = await as(member).retention.site({ orgId: orgA, siteId: siteA });
      expect(report.policy.map((row) => [row.kind, row.days, row.defaultDays, row.updatedBy])).toEqual([
        ["templates", 365, 365, null],
        ["recognition_events", 30, 30, null],
        ["unknown_face_counts", 90, 90, null],
        ["enrolment_photos", 0, 0, null],
        ["camera_status_history", 180, 180, null],
        ["portal_requests", 1095, 1095, null],
        ["portal_contact", 30, 30, null],
        ["unverified_requests", 7, 7, null],
      ]);
      expect(report.runs).toEqual([]);
      expect(report.nextRunAt.getTime()).toBeGreaterThan(Date.now());
      expect(report.nextRunAt.getTime() - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    }
  });

  it("lets an owner change a period, audited, and shows who changed it", async () => {
    const updated = await as(ownerA).retention.update({
      orgId: orgA,
      siteId: siteA,
      kind: "recognition_events",
      days: 7,
    });
    expect(updated).toEqual({ siteId: siteA, kind: "recognition_events", days: 7 });
    const audit = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "retention.policy.update"), eq(schema.auditLog.targetId, siteA)));
    expect(audit).toMatchObject([
      { orgId: orgA, actorUserId: ownerA.userId, details: { kind: "recognition_events", from: 30, to: 7 } },
    ]);
    const report = await as(auditorA).retention.site({ orgId: orgA, siteId: siteA });
    const row = report.policy.find((entry) => entry.kind === "recognition_events");
    expect(row).toMatchObject({ days: 7, defaultDays: 30, updatedBy: ownerA.email });
    expect(row?.updatedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);

    // Templates live on the site row (the site form edits them too).
    await as(ownerA).retention.update({ orgId: orgA, siteId: siteA, kind: "templates", days: 200 });
    expect((await as(ownerA).sites.byId({ orgId: orgA, siteId: siteA })).templateRetentionDays).toBe(200);
    // Another site's policy did not move.
    expect((await daysOf(ownerB, orgB, siteB)).recognition_events).toBe(30);
  });

  it("refuses managers, operators, auditors and regulators, changing nothing", async () => {
    const before = await policyRows();
    for (const caller of [managerA, operatorA, auditorA]) {
      await expect(
        as(caller).retention.update({ orgId: orgA, siteId: siteA, kind: "recognition_events", days: 1 }),
      ).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(as(regulator).retention.site({ orgId: orgA, siteId: siteA })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      as(regulator).retention.update({ orgId: orgA, siteId: siteA, kind: "recognition_events", days: 1 }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    // A member of one organisation naming another organisation.
    await expect(as(ownerB).retention.site({ orgId: orgA, siteId: siteA })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    expect(await policyRows()).toEqual(before);
  });

  it("answers another tenant's site as if it did not exist, changing nothing", async () => {
    const before = await policyRows();
    await expect(as(ownerA).retention.site({ orgId: orgA, siteId: siteB })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    for (const kind of ["recognition_events", "templates"] as const) {
      await expect(as(ownerA).retention.update({ orgId: orgA, siteId: siteB, kind, days: 5 })).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
    }
    expect(await policyRows()).toEqual(before);
    expect((await as(ownerB).sites.byId({ orgId: orgB, siteId: siteB })).templateRetentionDays).toBe(365);
  });

  it("refuses each unlawful period on the days field, changing nothing", async () => {
    const before = await policyRows();
    const refused = (kind: string, days: number, reason: string) =>
      expect(
        as(ownerA).retention.update({ orgId: orgA, siteId: siteA, kind: kind as "templates", days }),
      ).rejects.toMatchObject({ code: "BAD_REQUEST", cause: { field: "days", reason } });
    await refused("templates", 0, "retentionTemplatesMin");
    await refused("unverified_requests", 0, "retentionUnverifiedMin");
    // Site A keeps templates 200 days: photos may be kept for re-enrolment at most that long ...
    await refused("enrolment_photos", 201, "retentionPhotosLongerThanTemplates");
    await as(ownerA).retention.update({ orgId: orgA, siteId: siteA, kind: "enrolment_photos", days: 150 });
    // ... and templates may not then drop below the photos.
    await refused("templates", 149, "retentionPhotosLongerThanTemplates");
    await as(ownerA).retention.update({ orgId: orgA, siteId: siteA, kind: "enrolment_photos", days: 0 });
    // Out of the schema's range: the zod issue names the field.
    for (const days of [-1, 3651, 1.5]) {
      await expect(
        as(ownerA).retention.update({ orgId: orgA, siteId: siteA, kind: "portal_requests", days }),
      ).rejects.toMatchObject({
        code: "BAD_REQUEST",
        cause: { issues: [expect.objectContaining({ path: ["days"] })] },
      });
    }
    const after = await policyRows();
    const periods = (rows: typeof before) => rows.map(({ siteId, kind, days }) => [siteId, kind, days]);
    expect(periods(after)).toEqual(periods(before));
    expect((await as(ownerA).sites.byId({ orgId: orgA, siteId: siteA })).templateRetentionDays).toBe(200);
  });

  it("caps templates at 3 years after last use for an Illinois organisation (IL-15a), not elsewhere", async () => {
    const report = await as(ownerIL).retention.site({ orgId: orgIL, siteId: siteIL });
    expect(report).toMatchObject({ profile: "US-IL", templateMaxDays: 1095 });
    expect(report.policy[0]).toMatchObject({ kind: "templates", defaultDays: 1095 });
    await expect(
      as(ownerIL).retention.update({ orgId: orgIL, siteId: siteIL, kind: "templates", days: 1096 }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", cause: { field: "days", reason: "retentionTemplatesMax" } });
    expect((await daysOf(ownerIL, orgIL, siteIL)).templates).toBe(365);
    await as(ownerIL).retention.update({ orgId: orgIL, siteId: siteIL, kind: "templates", days: 1095 });
    expect((await daysOf(ownerIL, orgIL, siteIL)).templates).toBe(1095);
    // A Chinese organisation may keep them longer (its own period, up to the schema's 10 years).
    await as(ownerB).retention.update({ orgId: orgB, siteId: siteB, kind: "templates", days: 1096 });
    expect((await daysOf(ownerB, orgB, siteB)).templates).toBe(1096);
  });

  it("shows the last runs with only this site's counts, newest first", async () => {
    const [older] = await testDb.db
      .insert(schema.retentionRuns)
      .values({
        startedAt: new Date(Date.now() - 2 * 3600_000),
        finishedAt: new Date(Date.now() - 2 * 3600_000 + 5_000),
        status: "failed",
        counts: { [siteA]: { recognition_events: 4 } },
        error: "disk full",
      })
      .returning();
    const [newer] = await testDb.db
      .insert(schema.retentionRuns)
      .values({
        startedAt: new Date(Date.now() - 3600_000),
        finishedAt: new Date(Date.now() - 3600_000 + 5_000),
        status: "completed",
        counts: {
          [siteA]: { recognition_events: 12, templates: 1 },
          [siteB]: { unknown_face_counts: 99 },
          "*": { sessions: 3 },
        },
      })
      .returning();
    const report = await as(managerA).retention.site({ orgId: orgA, siteId: siteA });
    expect(report.runs.map((run) => [run.id, run.status, run.deleted])).toEqual([
      [newer?.id, "completed", { recognition_events: 12, templates: 1 }],
      [older?.id, "failed", { recognition_events: 4 }],
    ]);
    expect(JSON.stringify(report)).not.toContain("disk full");
    const other = await as(ownerB).retention.site({ orgId: orgB, siteId: siteB });
    expect(other.runs[0]?.deleted).toEqual({ unknown_face_counts: 99 });
  });
});
