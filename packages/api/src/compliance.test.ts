import type { Principal } from "@consentry/auth";
import { loadPrincipal } from "@consentry/auth";
import { snapshotChangedOrganizations } from "@consentry/core/compliance";
import { eq, schema } from "@consentry/db";
import { seedDemo } from "@consentry/db/seed";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor } from "./testing";

// Facts in PostgreSQL (the demo seed) → rules engine → findings that the seed implies.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let manager: Principal;
let orgId: string;
const siteIdByName = new Map<string, string>();

beforeAll(async () => {
  testDb = await createTestDatabase();
  await seedDemo(testDb.db);
  const [user] = await testDb.db.select().from(schema.users).where(eq(schema.users.email, "manager@huangpu.demo"));
  manager = (await loadPrincipal(testDb.db, user?.id as string)) as Principal;
  orgId = manager.memberships[0]?.orgId as string;
  for (const site of await testDb.db.select().from(schema.sites))
    siteIdByName.set(site.name.split(" ")[0] as string, site.id);
});
afterAll(async () => {
  await testDb?.drop();
});

const api = () => callerFor(testDb.db, manager);

describe("compliance from the database", () => {
  it("finds what the seed implies, worst site first", async () => {
    const overview = await api().compliance.overview({ orgId });
    expect(overview.profile).toBe("CN");
    expect(overview.sites.map((site) => site.name).sort()).toEqual(
      [
        "Bund Garden Residences 外滩花园",
        "Pudong Innovation Tower 浦东创新大厦",
        "Xintiandi Plaza Mall 新天地广场",
      ].sort(),
    );
    const scores = overview.sites.map((site) => site.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));

    // Bund Garden: the garage ramp runs face recognition with no alternative (CN-FR-09, critical).
    const bund = await api().compliance.site({ orgId, siteId: siteIdByName.get("Bund") as string });
    const alternatives = bund.rules.find((rule) => rule.ruleId === "CN-FR-09");
    expect(alternatives?.severity).toBe("critical");
    expect(alternatives?.findings.map((f) => f.target.label)).toContain("Garage ramp 车库");
    expect(bund.score).toBeLessThanOrEqual(40);
    expect(bund.coverage.alternatives).toBeCloseTo(1 / 2);

    // Xintiandi has no sign at all and no impact assessment, yet runs face recognition.
    const xintiandi = await api().compliance.site({ orgId, siteId: siteIdByName.get("Xintiandi") as string });
    expect(xintiandi.coverage.signage).toBe(0);
    expect(xintiandi.rules.map((rule) => rule.ruleId)).toEqual(expect.arrayContaining(["CN-CAM-02", "CN-FR-08"]));

    // Findings name people by pseudonym only.
    expect(JSON.stringify(overview)).not.toMatch(/张伟|王芳|李娜|刘洋|陈晨|Emily/);
  });

  it("signage coverage rises when a verified sign covers the uncovered cameras", async () => {
    const siteId = siteIdByName.get("Xintiandi") as string;
    // Catalogue v2 (CN-CAM-02): every camera needs a sign, face recognition or not.
    const cameras = await testDb.db.select().from(schema.cameras).where(eq(schema.cameras.siteId, siteId));

    await api().signs.create({
      orgId,
      siteId,
      location: "Lounge door",
      text: "人脸识别支付区域",
      languages: ["zh-CN"],
      installedAt: new Date(),
      cameraIds: cameras.map((camera) => camera.id),
      entryPointIds: [],
    });
    const after = await api().compliance.site({ orgId, siteId });
    expect(after.coverage.signage).toBe(1);
    expect(after.coverage.signageAllCameras).toBe(1);
    expect(after.rules.map((rule) => rule.ruleId)).not.toContain("CN-CAM-02");
  });

  it("stores snapshots when facts change, and only then", async () => {
    expect(await snapshotChangedOrganizations(testDb.db)).toBeGreaterThan(0);
    expect(await snapshotChangedOrganizations(testDb.db)).toBe(0);
    await api().signs.verify({
      orgId,
      signId: (await testDb.db.select().from(schema.signs).where(eq(schema.signs.orgId, orgId)))[0]?.id as string,
    });
    expect(await snapshotChangedOrganizations(testDb.db)).toBe(3);
    const history = await api().compliance.site({ orgId, siteId: siteIdByName.get("Bund") as string });
    expect(history.history.length).toBe(2);
  });
});
