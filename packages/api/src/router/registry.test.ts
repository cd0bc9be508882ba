import { createHash, randomBytes } from "node:crypto";
import type { Principal } from "@consentry/auth";
import { eq, inArray, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { createJobProducer, producerOptions, QUEUE_NAMES } from "@consentry/queue";
import { Queue } from "bullmq";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callerFor,
  makeOrganization,
  makePrincipal,
  makeTemplates,
  recognitionConsent,
  temporaryStorage,
} from "../testing";

// Signs, entry points, people and consents, notices, assessments and filings: the facts the
// compliance engine judges. Real PostgreSQL and a real BullMQ queue under this run's prefix.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let manager: Principal;
let owner: Principal;
let siteId: string;
let otherSiteId: string;
const prefix = `test-registry-${randomBytes(4).toString("hex")}`;
const jobs = createJobProducer(env.REDIS_URL, prefix);
const erasureQueue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(env.REDIS_URL, prefix));
const api = (who = manager) => callerFor(testDb.db, who, jobs);
const actions = async (targetId: string) =>
  (await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, targetId))).map((e) => e.action);

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
  owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
  const site = { address: "1 Road", regionCode: "310101", kind: "residential" as const, templateRetentionDays: 365 };
  siteId = (await api().sites.create({ orgId, name: "Garden", ...site })).id;
  otherSiteId = (await api().sites.create({ orgId, name: "Tower", ...site })).id;
});
afterAll(async () => {
  await erasureQueue.obliterate({ force: true });
  await erasureQueue.close();
  await jobs.close();
  await testDb?.drop();
});

const camera = (site: string, name: string) =>
  api().cameras.create({
    orgId,
    name,
    siteId: site,
    entryPointId: null,
    locationType: "entrance",
    frEnabled: false,
    analysisFps: 5,
    rtspUrl: `rtsp://10.0.0.9/${encodeURIComponent(name)}`,
  });

describe("signs", () => {
  it("covers cameras of its own site only, and records verification", async () => {
    const here = await camera(siteId, "Gate cam");
    const there = await camera(otherSiteId, "Tower cam");
    const base = {
      orgId,
      siteId,
      location: "Gate",
      text: "人脸识别",
      languages: ["zh-CN" as const],
      installedAt: new Date("2026-01-05"),
      entryPointIds: [],
    };
    await expect(api().signs.create({ ...base, cameraIds: [there.id] })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const sign = await api().signs.create({ ...base, cameraIds: [here.id] });
    const [listed] = await api().signs.list({ orgId, siteId });
    expect(listed).toMatchObject({ id: sign.id, cameraIds: [here.id], hasEvidence: false });
    expect(listed?.verifiedAt).toEqual(new Date("2026-01-05"));
    const { verifiedAt } = await api().signs.verify({ orgId, signId: sign.id });
    expect(Date.now() - verifiedAt.getTime()).toBeLessThan(5000);
    expect(await actions(sign.id)).toEqual(["sign.create", "sign.verify"]);
  });

  it("refuses a future installation date and an empty language list", async () => {
    const base = { orgId, siteId, location: "Gate", text: "x", cameraIds: [], entryPointIds: [] };
    await expect(
      api().signs.create({ ...base, languages: ["en"], installedAt: new Date(Date.now() + 10 * 86_400_000) }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api().signs.create({ ...base, languages: [], installedAt: new Date() })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });
});

describe("sign evidence photos", () => {
  const storage = temporaryStorage();
  const photoWithGps = () =>
    sharp({ create: { width: 800, height: 600, channels: 3, background: "#3a6" } })
      .withExif({ IFD0: { Artist: "gps-31.2304N-121.4737E" } })
      .jpeg()
      .toBuffer();
  const signAtSite = async () =>
    (
      await api().signs.create({
        orgId,
        siteId,
        location: "Lobby",
        text: "人脸识别区域",
        languages: ["zh-CN"],
        installedAt: new Date(),
        cameraIds: [],
        entryPointIds: [],
      })
    ).id;

  it("stores the photo re-encoded without metadata, under its hash, and audits the hash", async () => {
    const signId = await signAtSite();
    const uploader = callerFor(testDb.db, manager, jobs, storage);
    const { sha256 } = await uploader.signs.attachEvidence({ orgId, signId, photo: await photoWithGps() });
    const { key } = await uploader.signs.evidence({ orgId, signId });
    const stored = await storage.read(key);
    expect(createHash("sha256").update(stored).digest("hex")).toBe(sha256);
    expect((await sharp(stored).metadata()).exif).toBeUndefined();
    expect(stored.includes("gps-31.2304N")).toBe(false);
    expect((await api().signs.list({ orgId, siteId })).find((s) => s.id === signId)?.hasEvidence).toBe(true);
    const [entry] = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "sign.evidence"));
    expect(entry?.details).toMatchObject({ sha256, previousSha256: null });
  });

  it("rejects what is not a photo and changes nothing", async () => {
    const signId = await signAtSite();
    const uploader = callerFor(testDb.db, manager, jobs, storage);
    for (const [photo, reason] of [
      [Buffer.from("<svg onload=alert(1)>"), "notAnImage"],
      [(await photoWithGps()).subarray(0, 1500), "corrupt"],
    ] as const) {
      await expect(uploader.signs.attachEvidence({ orgId, signId, photo })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        cause: { field: "photo", reason },
      });
    }
    await expect(uploader.signs.evidence({ orgId, signId })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await actions(signId)).toEqual(["sign.create"]);
  });

  it("does not reach another organisation's sign", async () => {
    const signId = await signAtSite();
    const otherOrg = await makeOrganization(testDb.db);
    const stranger = await makePrincipal(testDb.db, { memberships: [[otherOrg.id, "owner"]] });
    const photo = await photoWithGps();
    await expect(
      callerFor(testDb.db, stranger, jobs, storage).signs.attachEvidence({ orgId: otherOrg.id, signId, photo }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("entry points", () => {
  it("records purpose and alternatives, and marks a material change when face recognition starts", async () => {
    const entry = await api().entryPoints.create({
      orgId,
      siteId,
      name: "North gate",
      purpose: "entry_verification",
      necessityNote: "Residents only",
      faceRecognition: true,
      faceIsDefault: false,
      isPublicPlace: false,
      alternatives: ["key_card", "qr"],
    });
    const [listed] = (await api().entryPoints.list({ orgId, siteId })).filter((e) => e.id === entry.id);
    expect(listed?.alternatives).toEqual(["key_card", "qr"]);
    const [site] = await testDb.db.select().from(schema.sites).where(eq(schema.sites.id, siteId));
    expect(site?.lastMaterialChangeAt).toBeInstanceOf(Date);
  });
});

describe("people and consents", () => {
  it("keeps names encrypted, shows them to operators, and never writes them to the audit log", async () => {
    const { id, pseudonym } = await api().subjects.create({
      orgId,
      displayName: "韩梅梅",
      contact: "han@example.cn",
      isMinor: false,
      birthYear: 1992,
    });
    const [row] = await testDb.db.select().from(schema.subjects).where(eq(schema.subjects.id, id));
    expect(row?.displayNameEnc).not.toContain("韩梅梅");
    expect(row?.contactEnc).not.toContain("han@");
    const listed = await api().subjects.list({ orgId, search: pseudonym });
    expect(listed.items).toEqual([expect.objectContaining({ pseudonym, displayName: "韩梅梅" })]);
    const audit = JSON.stringify(await testDb.db.select().from(schema.auditLog));
    expect(audit).not.toContain("韩梅梅");
    expect(audit).not.toContain("han@example.cn");
  });

  it("lists only the people who need a new photo when asked, with the number of sites", async () => {
    const needing = await api().subjects.create({
      orgId,
      displayName: "A",
      contact: null,
      isMinor: false,
      birthYear: null,
    });
    const fine = await api().subjects.create({
      orgId,
      displayName: "B",
      contact: null,
      isMinor: false,
      birthYear: null,
    });
    for (const person of [needing, fine]) {
      const consent = await api().subjects.giveConsent({ orgId, ...recognitionConsent(person.id, siteId) });
      await makeTemplates(testDb.db, { orgId, subjectId: person.id, siteId, consentId: consent.id });
    }
    await testDb.db
      .update(schema.faceTemplates)
      .set({ recaptureNeededAt: new Date() })
      .where(eq(schema.faceTemplates.subjectId, needing.id));
    const marked = await api().subjects.list({ orgId, recapture: true, pageSize: 100 });
    expect(marked.items.map((person) => [person.pseudonym, person.recaptureSites])).toEqual([[needing.pseudonym, 1]]);
    expect(marked.total).toBe(1);
    const all = await api().subjects.list({ orgId, pageSize: 100 });
    expect(all.items.find((person) => person.id === fine.id)?.recaptureSites).toBe(0);
    // Other tests here count the organisation's templates: these go again.
    await testDb.db.delete(schema.faceTemplates).where(inArray(schema.faceTemplates.subjectId, [needing.id, fine.id]));
  });

  it("refuses a child's consent without a guardian (CN-FR-05)", async () => {
    const child = await api().subjects.create({
      orgId,
      displayName: "小明",
      contact: null,
      isMinor: true,
      birthYear: 2016,
    });
    const consent = { orgId, ...recognitionConsent(child.id, siteId) };
    const refused = await api()
      .subjects.giveConsent(consent)
      .catch((e) => e);
    expect(refused.message).toContain("CN-FR-05");
    const given = await api().subjects.giveConsent({ ...consent, guardianName: "王建国", guardianRelation: "father" });
    const [row] = await testDb.db.select().from(schema.consents).where(eq(schema.consents.id, given.id));
    expect(row?.guardianConsentAt).toBeInstanceOf(Date);
    expect(row?.guardianNameEnc).not.toContain("王建国");
  });

  it("withdrawal stops the consent, queues deletion of its templates, and audits both", async () => {
    const person = await api().subjects.create({
      orgId,
      displayName: "李华",
      contact: null,
      isMinor: false,
      birthYear: 1980,
    });
    const given = await api().subjects.giveConsent({
      orgId,
      subjectId: person.id,
      siteId,
      purpose: "entry_verification",
      scopes: ["recognition", "central_storage"],
      method: "electronic",
      isSeparate: true,
      isBundled: false,
      noticeId: null,
      evidenceSha256: "b".repeat(64),
      guardianName: null,
      guardianRelation: null,
      givenAt: new Date(),
    });
    const templates = await testDb.db
      .insert(schema.faceTemplates)
      .values(
        [1, 2].map(() => ({
          orgId,
          subjectId: person.id,
          siteId,
          consentId: given.id,
          modelId: "fr_feature",
          modelVersion: "1",
          embeddingEnc: "v1.sealed",
        })),
      )
      .returning({ id: schema.faceTemplates.id });

    const result = await api().subjects.withdrawConsent({ orgId, consentId: given.id, reason: "Moved out" });
    expect(result).toEqual({ templatesQueuedForDeletion: 2, deletionQueued: true });
    const rows = await testDb.db
      .select()
      .from(schema.faceTemplates)
      .where(eq(schema.faceTemplates.subjectId, person.id));
    expect(rows.every((t) => t.deletionQueuedAt instanceof Date)).toBe(true);
    const job = await erasureQueue.getJob(`template-deletion-${given.id}`);
    expect(job?.data).toMatchObject({ subjectId: person.id, reason: "consent_withdrawn" });
    expect([...(job?.data.templateIds ?? [])].sort()).toEqual(templates.map((t) => t.id).sort());
    const [entry] = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.targetId, given.id))
      .orderBy(schema.auditLog.id)
      .offset(1);
    expect(entry).toMatchObject({ action: "consent.withdraw", details: { templatesQueuedForDeletion: 2 } });
    expect((await api().filings.status({ orgId })).subjectsWithTemplates).toBe(0);

    await expect(api().subjects.withdrawConsent({ orgId, consentId: given.id, reason: "again" })).rejects.toMatchObject(
      { code: "CONFLICT" },
    );
  });
});

describe("notices, assessments and filings", () => {
  it("numbers notice versions per site", async () => {
    const text = {
      controller: "Garden Co",
      purpose: "Entry",
      method: "Face match",
      retention: "1 year",
      rights: "All",
      contact: "p@x.cn",
    };
    expect((await api().notices.publish({ orgId, siteId, ...text })).version).toBe(1);
    expect((await api().notices.publish({ orgId, siteId, ...text, retention: "6 months" })).version).toBe(2);
    expect((await api().notices.publish({ orgId, siteId: otherSiteId, ...text })).version).toBe(1);
    await expect(api().notices.publish({ orgId, siteId, ...text, rights: " " })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("keeps an impact assessment for three years (CN-FR-08)", async () => {
    const base = {
      orgId,
      siteId,
      scope: "All gates",
      approver: "DPO",
      documentSha256: "c".repeat(64),
      nextReviewAt: null,
    };
    const recent = await api().assessments.create({ ...base, completedAt: new Date(Date.now() - 400 * 86_400_000) });
    const refused = await api(owner)
      .assessments.delete({ orgId, assessmentId: recent.id })
      .catch((e) => e);
    expect(refused).toMatchObject({ code: "PRECONDITION_FAILED" });
    expect(refused.message).toContain("CN-FR-08");
    const old = await api().assessments.create({ ...base, completedAt: new Date(Date.now() - 4 * 365 * 86_400_000) });
    await expect(api(owner).assessments.delete({ orgId, assessmentId: old.id })).resolves.toEqual({ id: old.id });
  });

  it("counts distinct people with templates against the 100,000 threshold", async () => {
    const person = await api().subjects.create({
      orgId,
      displayName: "张三",
      contact: null,
      isMinor: false,
      birthYear: null,
    });
    await testDb.db.insert(schema.faceTemplates).values(
      [1, 2, 3].map(() => ({
        orgId,
        subjectId: person.id,
        siteId,
        modelId: "fr_feature",
        modelVersion: "1",
        embeddingEnc: "v1.sealed",
      })),
    );
    const status = await api().filings.status({ orgId });
    expect(status).toMatchObject({ subjectsWithTemplates: 1, threshold: 100_000 });
  });
});
