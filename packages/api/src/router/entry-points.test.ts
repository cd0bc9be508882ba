import type { Principal } from "@consentry/auth";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, databaseDigest, makeOrganization, makePrincipal } from "../testing";

// Entry points in a public place (CN-FR-12, catalogue v2): the purpose public security and the
// recorded capture-area limit, through the API, into the compliance engine. Real PostgreSQL.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let otherOrgId: string;
let manager: Principal;
let otherManager: Principal;
let siteId: string;
const api = (who = manager) => callerFor(testDb.db, who);

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  otherOrgId = (await makeOrganization(testDb.db)).id;
  manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
  otherManager = await makePrincipal(testDb.db, { memberships: [[otherOrgId, "manager"]] });
  const site = { address: "1 Square", regionCode: "310101", kind: "retail" as const, templateRetentionDays: 365 };
  siteId = (await api().sites.create({ orgId, name: "Plaza", ...site })).id;
});
afterAll(async () => {
  await testDb?.drop();
});

const publicGate = {
  name: "Square gate",
  purpose: "public_security" as const,
  necessityNote: "Crowd safety at the square's only gate",
  faceRecognition: true,
  faceIsDefault: false,
  isPublicPlace: true,
  alternatives: ["staff_check" as const],
};

/** An FR camera at the entry point, after a fresh impact assessment (CN-FR-08 comes first). */
async function frCamera(entryPointId: string) {
  await api().assessments.create({
    orgId,
    siteId,
    scope: "All gates",
    approver: "DPO",
    documentSha256: "d".repeat(64),
    completedAt: new Date(),
    nextReviewAt: null,
  });
  await api().cameras.create({
    orgId,
    name: `Camera of ${entryPointId.slice(0, 8)}`,
    siteId,
    entryPointId,
    locationType: "entrance",
    frEnabled: true,
    analysisFps: 5,
    rtspUrl: `rtsp://10.0.0.9/${entryPointId}`,
  });
}

const cnFr12 = async () =>
  (await api().compliance.site({ orgId, siteId, days: 30 })).rules
    .filter((rule) => rule.ruleId === "CN-FR-12")
    .flatMap((rule) => rule.findings.map((finding) => [finding.code, finding.severity]));

describe("entry points in public places", () => {
  it("records public security with its capture-area limit, audited, and the engine accepts it", async () => {
    const { id } = await api().entryPoints.create({
      orgId,
      siteId,
      ...publicGate,
      captureAreaNote: "  Gate lane only, 3 m deep  ",
    });
    await frCamera(id);
    const [listed] = await api().entryPoints.list({ orgId, siteId });
    expect(listed).toMatchObject({ id, purpose: "public_security", captureAreaNote: "Gate lane only, 3 m deep" });
    const [audit] = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, id));
    expect(audit).toMatchObject({
      action: "entry_point.create",
      details: { captureAreaNote: "Gate lane only, 3 m deep" },
    });
    expect(await cnFr12()).toEqual([]);

    // Clearing the limit makes it a medium finding; an update without the field leaves the note alone.
    await api().entryPoints.update({ orgId, entryPointId: id, ...publicGate, captureAreaNote: null });
    expect(await cnFr12()).toEqual([["CN-FR-12.captureAreaNotLimited", "medium"]]);
    await api().entryPoints.update({ orgId, entryPointId: id, ...publicGate, captureAreaNote: "Lane 1" });
    await api().entryPoints.update({ orgId, entryPointId: id, ...publicGate, name: "Square gate (north)" });
    const [edited] = await api().entryPoints.list({ orgId, siteId });
    expect(edited).toMatchObject({ name: "Square gate (north)", captureAreaNote: "Lane 1" });
    expect(await cnFr12()).toEqual([]);

    // Another purpose in a public place is critical, whatever consents exist.
    await api().entryPoints.update({ orgId, entryPointId: id, ...publicGate, purpose: "entry_verification" });
    expect(await cnFr12()).toEqual([["CN-FR-12.publicPlaceWithoutBasis", "critical"]]);
  });

  it("refuses a capture-area note that is too long and another organisation's entry point, changing nothing", async () => {
    const { id } = await api().entryPoints.create({ orgId, siteId, ...publicGate, name: "East gate" });
    const before = await databaseDigest(testDb.db);
    await expect(
      api().entryPoints.update({ orgId, entryPointId: id, ...publicGate, captureAreaNote: "x".repeat(2001) }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(
      api(otherManager).entryPoints.update({
        orgId: otherOrgId,
        entryPointId: id,
        ...publicGate,
        captureAreaNote: "x",
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await databaseDigest(testDb.db)).toEqual(before);
  });
});
