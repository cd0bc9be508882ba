import { RULE_CATALOGUE_VERSION } from "@consentry/compliance";
import { storeComplianceSnapshots } from "@consentry/core/compliance";
import { buildRegulatorReport } from "@consentry/core/regulator";
import { sealEmbedding } from "@consentry/crypto";
import { eq, schema, verifyAuditChain } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRouter } from "../root";
import { callerFor, makeOrganization, makePrincipal, recognitionConsent } from "../testing";

// What a regulator can read: aggregates and findings about sites, never anything of a person or
// a camera's address. Every response is walked for forbidden keys and for the values we planted.

const FORBIDDEN_KEYS = new Set([
  "displayName",
  "displayNameEnc",
  "contact",
  "contactEnc",
  "email",
  "phone",
  "pseudonym",
  "embedding",
  "embeddingEnc",
  "rtspUrl",
  "rtspUrlEnc",
  "rtspUrlMasked",
  "storageKey",
  "evidencePhotoPath",
  "guardianName",
  "guardianNameEnc",
  "subjectId",
]);
const PLANTED = { name: "欧阳娜娜", contact: "nana.ouyang@example.cn", url: "rtsp://admin:s3cret@10.9.8.7:554/live" };

function walk(value: unknown, path: string, found: string[]) {
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) walk(item, `${path}[${i}]`, found);
  } else if (value && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, inner] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) found.push(`${path}.${key}`);
      walk(inner, `${path}.${key}`, found);
    }
  } else if (typeof value === "string") {
    for (const planted of [...Object.values(PLANTED), pseudonym])
      if (value.includes(planted)) found.push(`${path} = ${value}`);
  }
}

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let siteId: string;
let otherSiteId: string;
let pseudonym = "never-set";

beforeAll(async () => {
  testDb = await createTestDatabase();
  const { db } = testDb;
  const org = await makeOrganization(db, "Pudong Towers");
  orgId = org.id;
  const owner = await makePrincipal(db, { memberships: [[org.id, "owner"]] });
  const api = callerFor(db, owner);
  const base = { address: "1 Road", kind: "residential" as const, templateRetentionDays: 365 };
  siteId = (await api.sites.create({ orgId: org.id, name: "Lujiazui Court", regionCode: "310115", ...base })).id;
  otherSiteId = (await api.sites.create({ orgId: org.id, name: "Hangzhou Court", regionCode: "330106", ...base })).id;
  await api.cameras.create({
    orgId: org.id,
    name: "Gate",
    siteId,
    entryPointId: null,
    locationType: "entrance",
    frEnabled: false,
    analysisFps: 5,
    rtspUrl: PLANTED.url,
  });
  const person = await api.subjects.create({
    orgId: org.id,
    displayName: PLANTED.name,
    contact: PLANTED.contact,
    isMinor: false,
    birthYear: null,
  });
  pseudonym = person.pseudonym;
  // A consent without notice and a template without a linked consent: findings about a person.
  await api.subjects.giveConsent({ orgId: org.id, ...recognitionConsent(person.id, siteId) });
  await db.insert(schema.faceTemplates).values({
    orgId: org.id,
    subjectId: person.id,
    siteId,
    modelId: "m",
    modelVersion: "1",
    embeddingEnc: sealEmbedding(new Float32Array(8).fill(0.3)),
  });
  await storeComplianceSnapshots(db, org.id);
});
afterAll(() => testDb?.drop());

describe("regulator console", () => {
  it("reads only, and no response holds a person, a contact, a template or a camera URL", async () => {
    const regulator = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] }));
    for (const [name, procedure] of Object.entries(appRouter._def.procedures)) {
      if (name.startsWith("regulator."))
        expect((procedure as unknown as { _def: { type: string } })._def.type, name).toBe("query");
    }
    const responses = {
      overview: await regulator.regulator.overview(),
      sites: await regulator.regulator.sites(),
      site: await regulator.regulator.site({ siteId }),
      trend: await regulator.regulator.trend({ days: 30 }),
      csv: await regulator.regulator.sitesCsv(),
      organizationsCsv: await regulator.regulator.organizationsCsv(),
      regionMoves: await regulator.regulator.regionMoves(),
    };
    expect(responses.site.findings.some((f) => f.target.type === "template" || f.target.type === "subject")).toBe(true);
    const found: string[] = [];
    walk(responses, "$", found);
    expect(found).toEqual([]);
    expect(responses.overview).toMatchObject({ sites: 1, cameras: 1, enrolledPeople: 1 });
    expect(responses.sites.map((s) => s.siteName)).toEqual(["Lujiazui Court"]);
    expect(responses.csv.csv).toContain("Lujiazui Court");
    expect(responses.organizationsCsv.csv).toContain("Pudong Towers");
    // The trend reads the per-region daily sums: today's point is the one site's score.
    expect(responses.trend).toHaveLength(1);
    expect(responses.trend[0]?.score).toBeCloseTo(responses.site.score ?? -1, 0);
    expect((await regulator.regulator.trend({ days: 30, siteId })).map((p) => p.day)).toEqual(
      responses.trend.map((p) => p.day),
    );
  });

  it("shows whether retention runs at a site and what it deleted there, as counts only", async () => {
    const regulator = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] }));
    const [person] = await testDb.db.select({ id: schema.subjects.id }).from(schema.subjects);
    const at = new Date(Date.now() - 5 * 60_000);
    await testDb.db.insert(schema.retentionRuns).values({
      status: "completed",
      startedAt: at,
      finishedAt: at,
      heartbeatAt: at,
      // A subject's id planted among the kinds must not come out.
      counts: {
        [siteId]: { templates: 2, recognition_events: 310, [person?.id as string]: 1 },
        [otherSiteId]: { templates: 7 },
      },
    });
    const site = await regulator.regulator.site({ siteId });
    expect(site.retention).toMatchObject({
      state: "ok",
      lastRun: { status: "completed", deleted: { templates: 2, recognition_events: 310 } },
      deletedInWindow: { templates: 2, recognition_events: 310 },
    });
    const text = JSON.stringify(site.retention);
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    const found: string[] = [];
    walk(site, "$", found);
    expect(found).toEqual([]);
    const zhejiang = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["330000"] }));
    await expect(zhejiang.regulator.site({ siteId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await zhejiang.regulator.site({ siteId: otherSiteId })).retention?.lastRun?.deleted).toEqual({
      templates: 7,
    });
  });

  it("shows another jurisdiction nothing of this one", async () => {
    const zhejiang = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["330000"] }));
    expect((await zhejiang.regulator.sites()).map((s) => s.siteId)).toEqual([otherSiteId]);
    await expect(zhejiang.regulator.site({ siteId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await zhejiang.regulator.overview()).cameras).toBe(0);
  });

  it("builds PDF reports only within the jurisdiction, naming sites and organizations but no person", async () => {
    const shanghai = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] }));
    const zhejiang = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["330000"] }));
    const planted = [...Object.values(PLANTED), pseudonym, "s3cret", "10.9.8.7"];
    for (const scope of [
      { kind: "jurisdiction" as const },
      { kind: "organization" as const, orgId },
      { kind: "site" as const, siteId },
    ]) {
      const { pdf } = await buildRegulatorReport(shanghai.regulator, scope);
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
      const text = await pdfText(pdf);
      // Text runs may be split anywhere: search the text without its spacing too.
      const squeezed = text.replace(/\s+/g, "");
      expect(text, scope.kind).toContain("Lujiazui Court");
      expect(text, scope.kind).toContain("Pudong Towers");
      expect(text, scope.kind).toContain("Rule catalogue");
      expect(squeezed, scope.kind).toContain(RULE_CATALOGUE_VERSION.replace(/\s+/g, ""));
      // Chinese is extracted too, so the planted Chinese name would be found if it were there.
      expect(squeezed, scope.kind).toContain("合规报告");
      expect(squeezed, scope.kind).not.toContain("HangzhouCourt");
      for (const value of planted) {
        expect(squeezed, `${scope.kind}: ${value}`).not.toContain(value.replace(/\s+/g, ""));
      }
      // The site's findings about a person are in its report, with the person taken out.
      if (scope.kind === "site") expect(text).toMatch(/\bCN-FR-\d\d\b/);
    }
    await expect(buildRegulatorReport(zhejiang.regulator, { kind: "site", siteId })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    // The same organization seen from Zhejiang: only its site there.
    const { pdf } = await buildRegulatorReport(zhejiang.regulator, { kind: "organization", orgId });
    const text = await pdfText(pdf);
    expect(text).toContain("Hangzhou Court");
    expect(text.replace(/\s+/g, "")).not.toContain("LujiazuiCourt");
    // Seven PDFs: slow on a shared, loaded machine.
  }, 20_000);

  it("audits every view, naming it", async () => {
    const principal = await makePrincipal(testDb.db, { jurisdictionCodes: ["310100"] });
    const regulator = callerFor(testDb.db, principal).regulator;
    const calls: [view: string, call: () => Promise<unknown>, targetId: string | null][] = [
      ["regulator.overview", () => regulator.overview(), null],
      ["regulator.sites", () => regulator.sites(), null],
      ["regulator.site", () => regulator.site({ siteId }), siteId],
      ["regulator.trend", () => regulator.trend({ days: 30 }), null],
      ["regulator.trend", () => regulator.trend({ days: 90, siteId }), siteId],
      ["regulator.sitesCsv", () => regulator.sitesCsv(), null],
      ["regulator.organizationsCsv", () => regulator.organizationsCsv(), null],
      ["regulator.regionMoves", () => regulator.regionMoves(), null],
    ];
    // Every regulator procedure is called here: a new view must be added to this list.
    const procedures = Object.keys(appRouter._def.procedures).filter((name) => name.startsWith("regulator."));
    expect([...new Set(calls.map(([view]) => view))].sort()).toEqual(procedures.sort());
    const entries = () =>
      testDb.db
        .select()
        .from(schema.auditLog)
        .where(eq(schema.auditLog.actorUserId, principal.userId))
        .orderBy(schema.auditLog.id);
    expect(await entries()).toEqual([]);
    for (const [i, [view, call, targetId]] of calls.entries()) {
      await call();
      const written = (await entries()).slice(i);
      expect(
        written.map((e) => ({ action: e.action, orgId: e.orgId, targetId: e.targetId, details: e.details })),
        view,
      ).toEqual([
        { action: "regulator.view", orgId: null, targetId, details: { view, jurisdictionCodes: ["310100"] } },
      ]);
    }
  });
});

describe("a refused view (issue #14)", () => {
  it("answers 400 for a lone surrogate and audits nothing, so the chain still verifies", async () => {
    const principal = await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] });
    const regulator = callerFor(testDb.db, principal).regulator;
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true });
    // GET /api/trpc/regulator.site?input={"json":{"siteId":"repro\ud800"}}: audited raw, this
    // entry was stored with U+FFFD but hashed with the surrogate, breaking the chain for good.
    await expect(regulator.site({ siteId: "repro\ud800" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(regulator.trend({ days: 7 as 30, siteId: "repro\ud800" })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
    const written = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.actorUserId, principal.userId));
    expect(written).toEqual([]);
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true, openBreaks: 0 });
  });
});

/** The text of every page, as a reader would copy it (as e2e/tests/regulator.spec.ts reads it). */
async function pdfText(bytes: Buffer): Promise<string> {
  const document = await getDocument({ data: new Uint8Array(bytes) }).promise;
  const pages = await Promise.all(
    Array.from({ length: document.numPages }, async (_, i) => {
      const content = await (await document.getPage(i + 1)).getTextContent();
      return content.items.map((item) => ("str" in item ? item.str : "")).join(" ");
    }),
  );
  await document.destroy();
  return pages.join("\n");
}
