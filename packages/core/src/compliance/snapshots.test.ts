import { randomBytes, randomUUID } from "node:crypto";
import { encryptString, sealEmbedding } from "@consentry/crypto";
import { eq, schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactFinding } from "../regulator/jurisdiction";
import { createSubject } from "../subjects";
import { makeAnalysedSite, makeOrganization, TEST_ACTOR, unique } from "../testing";
import { subjectFields } from "../validators";
import { dropPersonIdsFromSnapshots, type SnapshotFinding, storeComplianceSnapshots } from "./snapshots";

// Compliance snapshots against real PostgreSQL: they outlive an erasure, so they name people by
// pseudonym only. Findings about a person, their template or their request keep type, label and
// text but no id; findings about sites and cameras keep theirs.

const { complianceSnapshots, dsrRequests, faceTemplates } = schema;
const DAY = 86_400_000;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

/** An organisation whose one site has findings about a person: a template without consent and an overdue request. */
async function orgWithPersonFindings() {
  const db = testDb.db;
  const org = await makeOrganization(db);
  const { siteId, cameraIds } = await makeAnalysedSite(db, org.id, {
    name: unique("Snapshot Court"),
    cameras: [{ name: "Gate", rtspUrl: `rtsp://10.41.0.1:554/${unique("cam")}` }],
  });
  const { id: subjectId, pseudonym } = await createSubject(
    { db, actor: TEST_ACTOR, orgId: org.id },
    subjectFields.parse({ displayName: "Snapshot Person", contact: null, isMinor: false, birthYear: null }),
  );
  const [template] = await db
    .insert(faceTemplates)
    .values({
      orgId: org.id,
      siteId,
      subjectId,
      consentId: null,
      modelId: "fr_feature",
      modelVersion: "1",
      embeddingEnc: sealEmbedding(new Float32Array(512).fill(0.04)),
    })
    .returning({ id: faceTemplates.id });
  const [request] = await db
    .insert(dsrRequests)
    .values({
      orgId: org.id,
      siteId,
      subjectId,
      type: "access",
      referenceCode: `R-${randomBytes(5).toString("hex").toUpperCase()}`,
      contactEnc: encryptString("{}", "dsr_requests.contact"),
      contactHash: "e".repeat(64),
      verifiedAt: new Date(Date.now() - 40 * DAY),
      dueAt: new Date(Date.now() - 10 * DAY),
      status: "open",
    })
    .returning({ id: dsrRequests.id });
  return {
    orgId: org.id,
    siteId,
    cameraId: cameraIds[0] as string,
    subjectId,
    pseudonym,
    templateId: template?.id as string,
    requestId: request?.id as string,
  };
}

async function findingsOf(siteId: string) {
  const rows = await testDb.db
    .select({ findings: complianceSnapshots.findings })
    .from(complianceSnapshots)
    .where(eq(complianceSnapshots.siteId, siteId));
  return rows.flatMap((row) => row.findings as SnapshotFinding[]);
}

describe("compliance snapshots", { timeout: 60_000 }, () => {
  it("store findings about people by pseudonym only, and findings about places with their ids", async () => {
    const world = await orgWithPersonFindings();
    expect(await storeComplianceSnapshots(testDb.db, world.orgId)).toBe(1);
    const findings = await findingsOf(world.siteId);

    const types = new Set(findings.map((finding) => finding.target.type));
    expect(types).toContain("template");
    expect(types).toContain("request");
    const template = findings.find((finding) => finding.target.type === "template");
    expect(template?.target).toEqual({
      type: "template",
      label: `Template of ${world.pseudonym}`,
      labelCode: "template",
      labelParams: { pseudonym: world.pseudonym },
    });
    for (const finding of findings) {
      if (["subject", "template", "request"].includes(finding.target.type)) expect(finding.target.id).toBeUndefined();
      else expect(finding.target.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(findings.some((finding) => finding.target.id === world.cameraId || finding.target.id === world.siteId)).toBe(
      true,
    );
    const text = JSON.stringify(findings);
    for (const id of [world.subjectId, world.templateId, world.requestId]) expect(text).not.toContain(id);
    // What regulators read from it is unchanged: rule and text, no label of a person.
    expect(redactFinding(template as SnapshotFinding).target).toEqual({ type: "template", label: null });
  });

  it("drop the person ids of snapshots written before, in the given organisation only", async () => {
    const mine = await orgWithPersonFindings();
    const theirs = await orgWithPersonFindings();
    const legacy = (world: typeof mine) => [
      {
        ruleId: "CN-FR-04",
        message: `A face template of ${world.pseudonym}`,
        target: { type: "template", id: world.templateId, label: `Template of ${world.pseudonym}` },
      },
      { ruleId: "CN-FR-05", target: { type: "subject", id: world.subjectId, label: world.pseudonym } },
      { ruleId: "CN-DSR-SLA", target: { type: "request", id: world.requestId, label: "access request" } },
      { ruleId: "CN-CAM-02", target: { type: "camera", id: world.cameraId, label: "Gate" } },
      { ruleId: "TEST" },
    ];
    for (const world of [mine, theirs]) {
      await testDb.db
        .insert(complianceSnapshots)
        .values({ orgId: world.orgId, siteId: world.siteId, regionCode: "310101", score: 50, findings: legacy(world) });
    }

    const where = sql`cs.org_id = ${mine.orgId}`;
    expect(await dropPersonIdsFromSnapshots(testDb.db, where)).toBe(1);
    expect(await findingsOf(mine.siteId)).toEqual([
      {
        ruleId: "CN-FR-04",
        message: `A face template of ${mine.pseudonym}`,
        target: { type: "template", label: `Template of ${mine.pseudonym}` },
      },
      { ruleId: "CN-FR-05", target: { type: "subject", label: mine.pseudonym } },
      { ruleId: "CN-DSR-SLA", target: { type: "request", label: "access request" } },
      { ruleId: "CN-CAM-02", target: { type: "camera", id: mine.cameraId, label: "Gate" } },
      { ruleId: "TEST" },
    ]);
    // Another tenant's snapshot is not touched; a second run finds nothing to change.
    expect(await findingsOf(theirs.siteId)).toEqual(legacy(theirs));
    expect(await dropPersonIdsFromSnapshots(testDb.db, where)).toBe(0);
    expect(await dropPersonIdsFromSnapshots(testDb.db, sql`cs.org_id = ${randomUUID()}`)).toBe(0);
  });
});
