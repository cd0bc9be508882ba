import type { Principal } from "@consentry/auth";
import { addToDailyRegions, storeComplianceSnapshots } from "@consentry/core/compliance";
import { buildRegulatorReport } from "@consentry/core/regulator";
import { asc, eq, schema, sql, verifyAuditChain } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal } from "../testing";

// A site's region code decides which regulator oversees it. Moving it is an owner's act with a
// reason, recorded and audited; both regulators see the move, and history stays where it was.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let owner: Principal;
let manager: Principal;
let auditor: Principal;
let siteId: string;
const DAY = 86_400_000;
const fields = {
  name: "Pudong Gardens",
  address: "8 Century Avenue",
  regionCode: "310115",
  kind: "residential" as const,
  templateRetentionDays: 365,
};
const shanghaiDay = (date: Date) => date.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
const beforeMove = new Date(Date.now() - 2 * DAY);
let afterMove: Date;

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db, "Huangpu Estates")).id;
  owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
  manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
  auditor = await makePrincipal(testDb.db, { memberships: [[orgId, "auditor"]] });
  siteId = (await callerFor(testDb.db, owner).sites.create({ orgId, ...fields })).id;
  await storeComplianceSnapshots(testDb.db, orgId, beforeMove);
});
afterAll(() => testDb?.drop());

const auditCount = () => testDb.db.$count(schema.auditLog);
const regionOf = async () =>
  (await testDb.db.select().from(schema.sites).where(eq(schema.sites.id, siteId)))[0]?.regionCode;

describe("moving a site to another region", () => {
  it("refuses a manager, naming regionCode, and writes nothing; other fields stay editable", async () => {
    const api = callerFor(testDb.db, manager);
    const audits = await auditCount();
    const update = await api.sites.update({ orgId, siteId, ...fields, regionCode: "330106" }).catch((e) => e);
    expect(update).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("regionCode") });
    expect(update.cause?.field).toBe("regionCode");
    await expect(
      api.sites.moveRegion({ orgId, siteId, regionCode: "330106", reason: "Moved the office" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await regionOf()).toBe("310115");
    expect(await testDb.db.$count(schema.siteRegionChanges)).toBe(0);
    expect(await auditCount()).toBe(audits);
    await api.sites.update({ orgId, siteId, ...fields, address: "9 Century Avenue" });
    expect(await regionOf()).toBe("310115");
  });

  it("sends an owner's region edit to the move, and refuses a move without a reason", async () => {
    const api = callerFor(testDb.db, owner);
    const audits = await auditCount();
    const update = await api.sites.update({ orgId, siteId, ...fields, regionCode: "330106" }).catch((e) => e);
    expect(update).toMatchObject({ code: "UNPROCESSABLE_CONTENT", message: expect.stringContaining("Move region") });
    for (const reason of ["", "   ", "ok"]) {
      await expect(api.sites.moveRegion({ orgId, siteId, regionCode: "330106", reason })).rejects.toMatchObject({
        code: "BAD_REQUEST",
      });
    }
    await expect(
      api.sites.moveRegion({ orgId, siteId, regionCode: "310115", reason: "Same place again" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await regionOf()).toBe("310115");
    expect(await auditCount()).toBe(audits);
  });

  it("records an owner's move with its reason and audits it in the same transaction", async () => {
    const api = callerFor(testDb.db, owner);
    const change = await api.sites.moveRegion({
      orgId,
      siteId,
      regionCode: "330106",
      reason: "  Management office relocated to Hangzhou  ",
    });
    afterMove = new Date(change.changedAt.getTime() + 60_000);
    expect(change).toMatchObject({ fromRegion: "310115", toRegion: "330106", changedByLabel: owner.email });
    expect(await regionOf()).toBe("330106");
    const [entry] = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "site.moveRegion"));
    expect(entry).toMatchObject({ targetId: siteId, actorLabel: owner.email, orgId });
    expect(entry?.details).toEqual({
      from: "310115",
      to: "330106",
      reason: "Management office relocated to Hangzhou",
      changeId: change.id,
    });
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true });
    // The history is append-only in the database too.
    for (const change of [
      testDb.db.update(schema.siteRegionChanges).set({ toRegion: "310115" }),
      testDb.db.delete(schema.siteRegionChanges),
    ]) {
      const error = await change.catch((e) => e);
      expect(error.cause?.message).toMatch(/site_region_changes is append-only/);
    }

    // The history, for anyone of the organisation who can read the site; for nobody else.
    for (const reader of [owner, auditor]) {
      expect(await callerFor(testDb.db, reader).sites.regionHistory({ orgId, siteId })).toEqual([
        {
          id: change.id,
          fromRegion: "310115",
          toRegion: "330106",
          changedAt: change.changedAt,
          changedBy: owner.email,
          reason: "Management office relocated to Hangzhou",
        },
      ]);
    }
    const otherOrg = (await makeOrganization(testDb.db)).id;
    const stranger = callerFor(testDb.db, await makePrincipal(testDb.db, { memberships: [[otherOrg, "owner"]] }));
    await expect(stranger.sites.regionHistory({ orgId: otherOrg, siteId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      stranger.sites.moveRegion({ orgId: otherOrg, siteId, regionCode: "110101", reason: "Taking it over" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await regionOf()).toBe("330106");

    await storeComplianceSnapshots(testDb.db, orgId, afterMove);
  });

  it("attributes snapshots and daily sums to the region at the time; a move rewrites none of them", async () => {
    const snapshots = await testDb.db
      .select({ regionCode: schema.complianceSnapshots.regionCode, at: schema.complianceSnapshots.at })
      .from(schema.complianceSnapshots)
      .where(eq(schema.complianceSnapshots.siteId, siteId))
      .orderBy(asc(schema.complianceSnapshots.at));
    expect(snapshots.map((s) => s.regionCode)).toEqual(["310115", "330106"]);
    const daily = () =>
      testDb.db
        .select({ regionCode: schema.complianceDailyRegions.regionCode, day: schema.complianceDailyRegions.day })
        .from(schema.complianceDailyRegions)
        .orderBy(asc(schema.complianceDailyRegions.day));
    const expected = [
      { regionCode: "310115", day: shanghaiDay(beforeMove) },
      { regionCode: "330106", day: shanghaiDay(afterMove) },
    ];
    expect(await daily()).toEqual(expected);
    // Rebuilt from the snapshots (as a backfill would), the sums still follow the region at the time.
    await testDb.db.delete(schema.complianceDailyRegions);
    await addToDailyRegions(testDb.db, sql`true`);
    expect(await daily()).toEqual(expected);
  });

  it("shows the move to the old region's regulator, who keeps the site's earlier history", async () => {
    const shanghai = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] }));
    const [move, ...more] = await shanghai.regulator.regionMoves();
    expect(more).toEqual([]);
    expect(move).toMatchObject({
      siteId,
      siteName: "Pudong Gardens",
      orgName: "Huangpu Estates",
      fromRegion: "310115",
      toRegion: "330106",
      direction: "out",
      finding: { code: "CN-SITE-01.regionChanged", params: { fromRegion: "310115", toRegion: "330106" } },
    });
    expect(move?.changedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(move)).not.toContain(owner.email);

    // No longer among the jurisdiction's sites, but its page stays, as moved, with the old snapshot.
    expect((await shanghai.regulator.sites()).map((s) => s.siteId)).not.toContain(siteId);
    const site = await shanghai.regulator.site({ siteId });
    expect(site.movedOut).toMatchObject({ fromRegion: "310115", toRegion: "330106" });
    expect(site.evaluatedAt).toEqual(beforeMove);
    expect((await shanghai.regulator.trend({ days: 30, siteId })).map((p) => p.day)).toEqual([shanghaiDay(beforeMove)]);
    expect((await shanghai.regulator.trend({ days: 30 })).map((p) => p.day)).toEqual([shanghaiDay(beforeMove)]);
    // Its report too, for the time it was here.
    await expect(buildRegulatorReport(shanghai.regulator, { kind: "site", siteId })).resolves.toMatchObject({
      name: expect.stringMatching(/^site-S-/),
    });
  });

  it("shows the move to the new region's regulator, with the site's days since and the finding", async () => {
    const zhejiang = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["330000"] }));
    expect((await zhejiang.regulator.regionMoves()).map((m) => [m.siteId, m.direction])).toEqual([[siteId, "in"]]);
    const [listed] = await zhejiang.regulator.sites();
    expect(listed).toMatchObject({ siteId, regionCode: "330106", snapshotAt: afterMove });
    const site = await zhejiang.regulator.site({ siteId });
    expect(site.movedOut).toBeNull();
    expect(site.findings.map((f) => f.code)).toContain("CN-SITE-01.regionChanged");
    expect((await zhejiang.regulator.trend({ days: 30, siteId })).map((p) => p.day)).toEqual([shanghaiDay(afterMove)]);
    expect((await zhejiang.regulator.trend({ days: 30 })).map((p) => p.day)).toEqual([shanghaiDay(afterMove)]);
  });

  it("shows a regulator of an unrelated region nothing", async () => {
    const beijing = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["110000"] }));
    expect(await beijing.regulator.regionMoves()).toEqual([]);
    expect(await beijing.regulator.sites()).toEqual([]);
    await expect(beijing.regulator.site({ siteId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await beijing.regulator.trend({ days: 30, siteId })).toEqual([]);
    expect(await beijing.regulator.trend({ days: 30 })).toEqual([]);
  });
});
