import { createHash } from "node:crypto";
import type { Principal } from "@consentry/auth";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal, recognitionConsent, temporaryStorage } from "../testing";

// Impact assessments with their document, and notice versions confirmed on earlier consents:
// what the site page and the person page send (issue #17.5).

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let manager: Principal;
let owner: Principal;
let auditor: Principal;
let siteId: string;
const storage = temporaryStorage();
const api = (who = manager) => callerFor(testDb.db, who, undefined, storage);
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const pdf = (text: string) => new TextEncoder().encode(`%PDF-1.4\n% ${text}\n%%EOF\n`);
const audits = async (action: string, targetId: string) =>
  testDb.db
    .select()
    .from(schema.auditLog)
    .where(and(eq(schema.auditLog.action, action), eq(schema.auditLog.targetId, targetId)));

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
  owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
  auditor = await makePrincipal(testDb.db, { memberships: [[orgId, "auditor"]] });
  siteId = (
    await api().sites.create({
      orgId,
      name: "Records Garden",
      address: "1 Road",
      regionCode: "310101",
      kind: "residential",
      templateRetentionDays: 365,
    })
  ).id;
});
afterAll(async () => {
  await testDb?.drop();
});

const fields = (completedAt = new Date()) => ({
  orgId,
  siteId,
  scope: "All face-recognition gates",
  approver: "Data protection officer",
  completedAt,
  nextReviewAt: null,
});

describe("assessments.upload", () => {
  it("stores the document, computes its SHA-256 from the bytes and audits it", async () => {
    const document = pdf("PIPIA 2026");
    const result = await api().assessments.upload({ ...fields(), document, documentName: "PIPIA 2026 评估.pdf" });
    expect(result).toEqual({
      id: expect.any(String),
      documentSha256: sha256(document),
      documentName: "PIPIA 2026 评估.pdf",
    });

    const listed = (await api(auditor).assessments.list({ orgId, siteId })).find((row) => row.id === result.id);
    expect(listed).toMatchObject({ hasDocument: true, documentName: "PIPIA 2026 评估.pdf" });
    expect(listed).not.toHaveProperty("documentPath");

    const stored = await api(auditor).assessments.document({ orgId, assessmentId: result.id });
    expect(stored).toMatchObject({ sha256: sha256(document), name: "PIPIA 2026 评估.pdf" });
    expect(new Uint8Array(await storage.read(stored.key))).toEqual(document);
    const [entry] = await audits("assessment.create", result.id);
    expect(entry?.details).toMatchObject({ documentSha256: sha256(document), documentKind: "pdf" });
  });

  it("refuses a file that is not a PDF, DOCX or ODT, whatever its name, and records nothing", async () => {
    const before = await testDb.db.$count(schema.assessments);
    const refused = await api()
      .assessments.upload({ ...fields(), document: new TextEncoder().encode("<html>"), documentName: "pipia.pdf" })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "BAD_REQUEST" });
    expect((refused as { cause?: unknown }).cause).toMatchObject({ field: "document", reason: "notADocument" });
    await expect(
      api().assessments.upload({ ...fields(), document: new Uint8Array(), documentName: "empty.pdf" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await testDb.db.$count(schema.assessments)).toBe(before);
  });

  it("needs a manager, and serves documents to auditors", async () => {
    await expect(
      api(auditor).assessments.upload({ ...fields(), document: pdf("x"), documentName: "x.pdf" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("says when an assessment was recorded by its hash only", async () => {
    const { id } = await api().assessments.create({ ...fields(), documentSha256: "d".repeat(64) });
    expect((await api().assessments.list({ orgId, siteId })).find((row) => row.id === id)).toMatchObject({
      hasDocument: false,
      documentName: null,
    });
    await expect(api().assessments.document({ orgId, assessmentId: id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("removes the document with the assessment after three years, unless another one holds the same file", async () => {
    const document = pdf("old PIPIA");
    const old = new Date(Date.now() - 4 * 365 * 86_400_000);
    const first = await api().assessments.upload({ ...fields(old), document, documentName: "old.pdf" });
    const second = await api().assessments.upload({ ...fields(old), document, documentName: "copy.pdf" });
    const { key } = await api().assessments.document({ orgId, assessmentId: first.id });
    await api(owner).assessments.delete({ orgId, assessmentId: first.id });
    expect(new Uint8Array(await storage.read(key))).toEqual(document);
    await api(owner).assessments.delete({ orgId, assessmentId: second.id });
    await expect(storage.read(key)).rejects.toMatchObject({ code: "ENOENT" });
  });
});

describe("notices.confirm", () => {
  it("records the notice version on a consent given without one, keeping the consent", async () => {
    const subject = await api().subjects.create({
      orgId,
      displayName: "王芳",
      contact: null,
      isMinor: false,
      birthYear: null,
    });
    const consent = await api().subjects.giveConsent({ orgId, ...recognitionConsent(subject.id, siteId) });
    const notice = await api().notices.publish({
      orgId,
      siteId,
      controller: "Records Garden Property",
      purpose: "Entry",
      method: "Face matching",
      retention: "1 year",
      rights: "Refuse, withdraw, delete",
      contact: "privacy@example.cn",
    });
    await expect(
      api(auditor).notices.confirm({ orgId, consentId: consent.id, noticeId: notice.id }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await api().notices.confirm({ orgId, consentId: consent.id, noticeId: notice.id })).toEqual({
      id: consent.id,
      noticeId: notice.id,
      version: 1,
    });
    const [row] = await api().subjects.consents({ orgId, subjectId: subject.id });
    expect(row).toMatchObject({ id: consent.id, noticeVersion: 1, withdrawnAt: null });
    expect(await audits("consent.notice_confirmed", consent.id)).toHaveLength(1);
    // Once recorded, the version shown stays what it was.
    await expect(api().notices.confirm({ orgId, consentId: consent.id, noticeId: notice.id })).rejects.toMatchObject({
      code: "CONFLICT",
    });
  });

  it("takes only a notice of the consent's own site", async () => {
    const subject = await api().subjects.create({
      orgId,
      displayName: "李娜",
      contact: null,
      isMinor: false,
      birthYear: null,
    });
    const consent = await api().subjects.giveConsent({ orgId, ...recognitionConsent(subject.id, siteId) });
    const elsewhere = (
      await api().sites.create({
        orgId,
        name: "Records Tower",
        address: "2 Road",
        regionCode: "310101",
        kind: "office",
        templateRetentionDays: 365,
      })
    ).id;
    const notice = await api().notices.publish({
      orgId,
      siteId: elsewhere,
      controller: "Tower",
      purpose: "Entry",
      method: "Face matching",
      retention: "1 year",
      rights: "Refuse",
      contact: "privacy@example.cn",
    });
    const refused = await api()
      .notices.confirm({ orgId, consentId: consent.id, noticeId: notice.id })
      .catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "BAD_REQUEST" });
    expect((refused as { cause?: unknown }).cause).toMatchObject({ field: "noticeId", reason: "notAtSite" });
  });
});
