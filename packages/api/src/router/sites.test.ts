import type { Principal } from "@consentry/auth";
import { eq, schema, verifyAuditChain } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal } from "../testing";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgA: string;
let orgB: string;
let managerA: Principal;
let managerB: Principal;
const fields = {
  name: "Lujiazui Tower",
  address: "100 Century Avenue, Pudong",
  regionCode: "310115",
  kind: "office" as const,
  templateRetentionDays: 180,
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgA = (await makeOrganization(testDb.db)).id;
  orgB = (await makeOrganization(testDb.db)).id;
  managerA = await makePrincipal(testDb.db, { memberships: [[orgA, "manager"]] });
  managerB = await makePrincipal(testDb.db, { memberships: [[orgB, "manager"]] });
});
afterAll(async () => {
  await testDb?.drop();
});

const auditActions = async (targetId: string) =>
  (await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, targetId))).map((e) => e.action);

describe("sites", () => {
  it("creates, lists, edits, archives and restores a site, auditing each step", async () => {
    const api = callerFor(testDb.db, managerA);
    const created = await api.sites.create({ orgId: orgA, ...fields });
    expect(created.code).toMatch(/^S-[2-9A-Z]{6}$/);

    await testDb.db.insert(schema.cameras).values(
      (["online", "offline"] as const).map((status) => ({
        orgId: orgA,
        siteId: created.id,
        name: `Gate ${status}`,
        rtspUrlEnc: "v1.test",
        rtspUrlMasked: "rtsp://127.0.0.1/cam",
        locationType: "entrance" as const,
        status,
      })),
    );
    const listed = await api.sites.list({ orgId: orgA, search: "lujiazui" });
    expect(listed.items.map((s) => [s.name, s.cameraCount, s.offlineCameraCount])).toEqual([["Lujiazui Tower", 2, 1]]);
    expect(listed.total).toBe(1);

    await api.sites.update({ orgId: orgA, siteId: created.id, ...fields, name: "Lujiazui Tower B" });
    expect((await api.sites.byId({ orgId: orgA, siteId: created.id })).name).toBe("Lujiazui Tower B");

    await api.sites.archive({ orgId: orgA, siteId: created.id });
    expect((await api.sites.list({ orgId: orgA })).total).toBe(0);
    expect((await api.sites.list({ orgId: orgA, status: "archived" })).total).toBe(1);
    await api.sites.restore({ orgId: orgA, siteId: created.id });

    expect(await auditActions(created.id)).toEqual(["site.create", "site.update", "site.archive", "site.restore"]);
    const [update] = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "site.update"));
    expect(update?.details).toEqual({ changed: { name: "Lujiazui Tower B" } });
    expect(update?.actorLabel).toBe(managerA.email);
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true });
  });

  it("keeps organisations apart: another tenant sees nothing and cannot touch the site", async () => {
    const site = await callerFor(testDb.db, managerA).sites.create({ orgId: orgA, ...fields, name: "Private Site" });
    const other = callerFor(testDb.db, managerB);
    await expect(other.sites.list({ orgId: orgA })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Through their own organisation, another tenant's site simply does not exist.
    await expect(other.sites.byId({ orgId: orgB, siteId: site.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(other.sites.archive({ orgId: orgB, siteId: site.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      other.sites.update({ orgId: orgB, siteId: site.id, ...fields, name: "Hijacked" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await other.sites.list({ orgId: orgB })).items.map((s) => s.id)).not.toContain(site.id);
    expect(await auditActions(site.id)).toEqual(["site.create"]);
  });

  it("refuses bad input with field issues and writes nothing", async () => {
    const api = callerFor(testDb.db, managerA);
    const before = await testDb.db.$count(schema.sites);
    const auditBefore = await testDb.db.$count(schema.auditLog);
    const cases = [
      { ...fields, name: "x".repeat(10_000) },
      { ...fields, name: " " },
      { ...fields, regionCode: "31011" },
      { ...fields, kind: "castle" },
      { ...fields, templateRetentionDays: 0 },
    ];
    for (const bad of cases) {
      const error = await api.sites.create({ orgId: orgA, ...(bad as typeof fields) }).catch((e) => e);
      expect(error.code).toBe("BAD_REQUEST");
    }
    expect(await testDb.db.$count(schema.sites)).toBe(before);
    expect(await testDb.db.$count(schema.auditLog)).toBe(auditBefore);
  });

  it("refuses a duplicate active name with a conflict on the name field", async () => {
    const api = callerFor(testDb.db, managerA);
    await api.sites.create({ orgId: orgA, ...fields, name: "Twin" });
    const auditBefore = await testDb.db.$count(schema.auditLog);
    const error = await api.sites.create({ orgId: orgA, ...fields, name: "TWIN" }).catch((e) => e);
    expect(error).toMatchObject({ code: "CONFLICT" });
    expect(error.cause?.field).toBe("name");
    expect(await testDb.db.$count(schema.auditLog)).toBe(auditBefore);
    // Another organisation may use the same name.
    await expect(
      callerFor(testDb.db, managerB).sites.create({ orgId: orgB, ...fields, name: "Twin" }),
    ).resolves.toBeDefined();
  });

  it("pages through long lists", async () => {
    const orgC = (await makeOrganization(testDb.db)).id;
    const api = callerFor(testDb.db, await makePrincipal(testDb.db, { memberships: [[orgC, "owner"]] }));
    for (let i = 0; i < 25; i++) {
      await api.sites.create({ orgId: orgC, ...fields, name: `Site ${String(i).padStart(2, "0")}` });
    }
    const page2 = await api.sites.list({ orgId: orgC, page: 2, pageSize: 10 });
    expect(page2.total).toBe(25);
    expect(page2.items.map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_, i) => `Site ${i + 10}`));
  });
});

describe("a new site's set-up checklist (issue #17.6)", () => {
  it("ticks each step from the site's own data", async () => {
    const api = callerFor(testDb.db, managerA);
    const site = await api.sites.create({ orgId: orgA, ...fields, name: "Checklist Court" });
    const setup = async () => (await api.sites.byId({ orgId: orgA, siteId: site.id })).setup;
    expect(await setup()).toEqual({
      entryPoints: false,
      alternatives: false,
      assessment: false,
      notice: false,
      signs: false,
      cameras: false,
    });
    const gate = {
      siteId: site.id,
      name: "North gate",
      purpose: "entry_verification" as const,
      necessityNote: "Residents only",
      faceRecognition: true,
      faceIsDefault: false,
      isPublicPlace: false,
      captureAreaNote: null,
      alternatives: [],
    };
    const { id: gateId } = await api.entryPoints.create({ orgId: orgA, ...gate });
    expect(await setup()).toMatchObject({ entryPoints: true, alternatives: false });
    const { siteId: _siteId, ...gateFields } = gate;
    await api.entryPoints.update({ orgId: orgA, entryPointId: gateId, ...gateFields, alternatives: ["key_card"] });
    expect(await setup()).toMatchObject({ entryPoints: true, alternatives: true, assessment: false });
    await api.signs.create({
      orgId: orgA,
      siteId: site.id,
      location: "Main gate",
      text: "人脸识别区域 Face recognition in use",
      languages: ["zh-CN"],
      installedAt: new Date(),
      entryPointIds: [gateId],
      cameraIds: [],
    });
    expect(await setup()).toMatchObject({ signs: true, notice: false, cameras: false });
  });
});
