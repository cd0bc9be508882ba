import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RULE_CATALOGUE_VERSION } from "@consentry/compliance";
import { deleteWithdrawnTemplates } from "@consentry/core/dsr";
import { type PortalServices, redisRateLimiter } from "@consentry/core/portal";
import { temporaryStorage } from "@consentry/core/testing";
import { canonicalJson, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { createMailer } from "@consentry/mail";
import { readMailbox, startDevMailServer } from "@consentry/mail/dev-server";
import { redisConnection } from "@consentry/queue";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal, recognitionConsent, recordingJobs } from "../testing";

// The public portal against real PostgreSQL, a real SMTP server (in-process) and real Redis limits.

const mailDir = mkdtempSync(join(tmpdir(), "consentry-portal-mail-"));
const storage = temporaryStorage();
const redis = new Redis(redisConnection(env.REDIS_URL));
const prefix = `test-portal-${randomBytes(4).toString("hex")}`;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let smtp: Awaited<ReturnType<typeof startDevMailServer>>;
let mailer: ReturnType<typeof createMailer>;
let siteId: string;
let orgId: string;

const portal = (clientIp = `198.51.100.${Math.floor(Math.random() * 250)}`): PortalServices => ({
  mailer,
  limiter: redisRateLimiter(redis, prefix),
  clientIp,
  secret: "portal-test-secret-portal-test-secret-00",
});
const visitor = (ip?: string) => callerFor(testDb.db, null, recordingJobs(), undefined, portal(ip));
const codeFor = async (email: string) =>
  (await readMailbox(mailDir)).find((mail) => mail.to === email)?.subject.match(/\d{6}/)?.[0] ?? "";
const email = () => `person-${randomBytes(4).toString("hex")}@example.cn`;

beforeAll(async () => {
  testDb = await createTestDatabase();
  smtp = await startDevMailServer({ dir: mailDir });
  mailer = createMailer(smtp.url, "Consentry <no-reply@consentry.local>");
  orgId = (await makeOrganization(testDb.db)).id;
  const owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
  const site = await callerFor(testDb.db, owner).sites.create({
    orgId,
    name: "Jing'an Residences",
    address: "8 Yan'an Road",
    regionCode: "310106",
    kind: "residential",
    templateRetentionDays: 365,
  });
  siteId = site.id;
});
afterAll(async () => {
  mailer?.close();
  await smtp?.stop();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await testDb?.drop();
  await rm(mailDir, { recursive: true, force: true });
  await rm(storage.root, { recursive: true, force: true });
});

describe("portal", () => {
  it("finds a site by the code on its signs, mails a code, verifies it once, and shows the status", async () => {
    const [site] = await testDb.db.select().from(schema.sites).where(eq(schema.sites.id, siteId));
    expect((await visitor().portal.sites({ query: site?.code ?? "" })).map((s) => s.id)).toEqual([siteId]);
    const address = email();
    const { requestId } = await visitor().portal.submit({ siteId, type: "deletion", email: address });
    const code = await codeFor(address);
    expect(code).toMatch(/^\d{6}$/);
    const [stored] = await testDb.db.select().from(schema.dsrRequests).where(eq(schema.dsrRequests.id, requestId));
    expect(stored?.verificationCodeHash).not.toContain(code);
    expect(stored?.contactEnc).not.toContain(address);

    const verified = await visitor().portal.verify({ requestId, code });
    expect(verified.dueAt && verified.dueAt.getTime() - Date.now()).toBeGreaterThan(14 * 86_400_000);
    await expect(visitor().portal.verify({ requestId, code })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    const status = await visitor().portal.status({ reference: verified.reference, token: verified.token });
    expect(status).toMatchObject({ status: "open", type: "deletion", siteName: "Jing'an Residences" });
    await expect(
      visitor().portal.status({ reference: verified.reference, token: "0".repeat(32) }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("answers an access request with what is held, never the embedding itself", async () => {
    const owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    const staff = callerFor(testDb.db, owner);
    // The person's stored contact is the email the requester verifies, so staff may link them.
    const address = email();
    const person = await staff.subjects.create({
      orgId,
      displayName: "王芳",
      contact: address,
      isMinor: false,
      birthYear: null,
    });
    const consent = await staff.subjects.giveConsent({ orgId, ...recognitionConsent(person.id, siteId) });
    await testDb.db.insert(schema.faceTemplates).values({
      orgId,
      subjectId: person.id,
      siteId,
      consentId: consent.id,
      modelId: "m",
      modelVersion: "1",
      embeddingEnc: "v1.secret-embedding",
    });
    const { requestId } = await visitor().portal.submit({ siteId, type: "access", email: address });
    const verified = await visitor().portal.verify({ requestId, code: await codeFor(address) });
    await expect(visitor().portal.export(verified)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await staff.requests.linkSubject({ orgId, requestId, pseudonym: person.pseudonym });
    await staff.requests.approve({ orgId, requestId });
    const answer = await visitor().portal.export(verified);
    expect(answer).toMatchObject({ pseudonym: person.pseudonym, templates: 1 });
    expect(answer.consents).toHaveLength(1);
    expect(JSON.stringify(answer)).not.toMatch(/embedding|secret-embedding/);
  });

  it("approving a withdrawal ends the consent, queues the templates' deletion and reloads galleries", async () => {
    const owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    const jobs = recordingJobs();
    const staff = callerFor(testDb.db, owner, jobs);
    // The person's stored contact is the email the requester verifies, so staff may link them.
    const address = email();
    const person = await staff.subjects.create({
      orgId,
      displayName: "赵强",
      contact: address,
      isMinor: false,
      birthYear: null,
    });
    const consent = await staff.subjects.giveConsent({ orgId, ...recognitionConsent(person.id, siteId) });
    const [template] = await testDb.db
      .insert(schema.faceTemplates)
      .values({
        orgId,
        subjectId: person.id,
        siteId,
        consentId: consent.id,
        modelId: "m",
        modelVersion: "1",
        embeddingEnc: "v1.x",
      })
      .returning();
    const { requestId } = await visitor().portal.submit({ siteId, type: "withdrawal", email: address });
    await visitor().portal.verify({ requestId, code: await codeFor(address) });
    await expect(staff.requests.approve({ orgId, requestId })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
    await staff.requests.linkSubject({ orgId, requestId, pseudonym: person.pseudonym });
    expect(await staff.requests.approve({ orgId, requestId })).toMatchObject({ status: "completed" });
    const [after] = await testDb.db.select().from(schema.consents).where(eq(schema.consents.id, consent.id));
    expect(after?.withdrawnAt).not.toBeNull();
    expect(jobs.deletions).toEqual([expect.objectContaining({ subjectId: person.id, templateIds: [template?.id] })]);
    expect(jobs.invalidations).toEqual([{ type: "gallery", siteId }]);
    await expect(staff.requests.refuse({ orgId, requestId, reason: "Too late to refuse this." })).rejects.toMatchObject(
      {
        code: "CONFLICT",
      },
    );
  });

  it("lets the requester download the withdrawal certificate once the face data is deleted", async () => {
    const owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    const jobs = recordingJobs();
    const staff = callerFor(testDb.db, owner, jobs);
    const address = email();
    const person = await staff.subjects.create({
      orgId,
      displayName: "孙丽",
      contact: address,
      isMinor: false,
      birthYear: null,
    });
    const consent = await staff.subjects.giveConsent({ orgId, ...recognitionConsent(person.id, siteId) });
    const [template] = await testDb.db
      .insert(schema.faceTemplates)
      .values({
        orgId,
        subjectId: person.id,
        siteId,
        consentId: consent.id,
        modelId: "m",
        modelVersion: "1",
        embeddingEnc: "v1.x",
      })
      .returning();
    const [enrolment] = await testDb.db
      .insert(schema.enrolments)
      .values({ orgId, subjectId: person.id, siteId, consentId: consent.id, status: "done" })
      .returning();
    const { key } = await storage.put("enrolment-photo", randomBytes(64), "bin");
    await testDb.db.insert(schema.enrolmentPhotos).values({
      enrolmentId: enrolment?.id as string,
      subjectId: person.id,
      position: 0,
      storageKey: key,
      templateId: template?.id,
    });
    const { requestId } = await visitor().portal.submit({ siteId, type: "withdrawal", email: address });
    const link = await visitor().portal.verify({ requestId, code: await codeFor(address) });
    await staff.requests.linkSubject({ orgId, requestId, pseudonym: person.pseudonym });
    await staff.requests.approve({ orgId, requestId });
    await expect(visitor().portal.certificate(link)).rejects.toMatchObject({ code: "NOT_FOUND" });

    // The ops worker's template-deletion job, as the approval queued it.
    const [job] = jobs.deletions;
    expect(job).toMatchObject({ consentIds: [consent.id], requestId });
    await deleteWithdrawnTemplates({ db: testDb.db, storage, job: job as NonNullable<typeof job> });

    const status = await visitor().portal.status(link);
    expect(status.certificateSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(status.outcome).toContain("enrolment photos 1");
    const download = await visitor().portal.certificate(link);
    expect(download).toMatchObject({
      reference: link.reference,
      kind: "withdrawal",
      sha256: status.certificateSha256,
      certificate: {
        version: 2,
        kind: "withdrawal",
        requestReference: link.reference,
        approvedBy: { role: "owner", staffId: expect.stringMatching(/^staff-[0-9a-f]{12}$/) },
        catalogueVersion: RULE_CATALOGUE_VERSION,
        subject: { pseudonym: person.pseudonym },
        items: { templates: 1, enrolmentPhotos: 1, photoFiles: 1 },
      },
    });
    expect(createHash("sha256").update(canonicalJson(download.certificate)).digest("hex")).toBe(download.sha256);
    expect(JSON.stringify(download.certificate)).not.toContain(address);
    const [stored] = await testDb.db.select().from(schema.consents).where(eq(schema.consents.id, consent.id));
    expect(stored?.withdrawalCertificateSha256).toBe(download.sha256);
    // Someone without the status link gets nothing.
    await expect(
      visitor().portal.certificate({ reference: link.reference, token: "0".repeat(32) }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("locks a request after five wrong codes, and refuses an expired code", async () => {
    const address = email();
    const { requestId } = await visitor().portal.submit({ siteId, type: "access", email: address });
    const code = await codeFor(address);
    const wrong = code === "000000" ? "111111" : "000000";
    for (let i = 0; i < 5; i++) {
      await expect(visitor().portal.verify({ requestId, code: wrong })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    await expect(visitor().portal.verify({ requestId, code })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const other = email();
    const expiring = await visitor().portal.submit({ siteId, type: "access", email: other });
    await testDb.db
      .update(schema.dsrRequests)
      .set({ verificationExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(schema.dsrRequests.id, expiring.requestId));
    await expect(
      visitor().portal.verify({ requestId: expiring.requestId, code: await codeFor(other) }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("answers the same for a known and an unknown person, in about the same time", async () => {
    // A person this site holds data on: their address on file, a consent here and a template.
    const knownAddress = email();
    const unknownAddress = email();
    const owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    const staff = callerFor(testDb.db, owner);
    const person = await staff.subjects.create({
      orgId,
      displayName: "Known Person",
      contact: knownAddress,
      isMinor: false,
      birthYear: null,
    });
    const consent = await staff.subjects.giveConsent({ orgId, ...recognitionConsent(person.id, siteId) });
    await testDb.db.insert(schema.faceTemplates).values({
      orgId,
      subjectId: person.id,
      siteId,
      consentId: consent.id,
      modelId: "m",
      modelVersion: "1",
      embeddingEnc: "v1.known-person",
    });

    const attempt = async (address: string) => {
      const started = performance.now();
      const outcome = await visitor()
        .portal.submit({ siteId, type: "deletion", email: address })
        .then(
          (value) => ({ value, error: undefined }),
          (error: { code?: string; message?: string }) => ({ value: undefined, error }),
        );
      return { ...outcome, ms: performance.now() - started };
    };
    // Everything the requester sees, with the random parts (ids, codes, dates) blanked out.
    const blank = (text: string, address: string) =>
      text
        .replaceAll(address, "<address>")
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, "<id>")
        .replace(/R-[2-9A-Z]{4}-[2-9A-Z]{4}/g, "<reference>")
        .replace(/"[0-9a-f]{32}"/g, '"<token>"')
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, "<date>")
        .replace(/\b\d{6}\b/g, "<code>");
    const seen = (value: unknown, address: string) => blank(JSON.stringify(value ?? null), address);
    const mailsTo = async (address: string) =>
      (await readMailbox(mailDir))
        .filter((mail) => mail.to === address)
        .map((mail) => blank(JSON.stringify({ to: mail.to, subject: mail.subject, text: mail.text }), address));

    // The per-contact limit allows three; the known person's own address is used as is.
    const known = [];
    const unknown = [];
    for (let i = 0; i < 3; i++) {
      known.push(await attempt(knownAddress));
      unknown.push(await attempt(unknownAddress));
    }
    for (const [i, run] of known.entries()) {
      const other = unknown[i] as (typeof unknown)[number];
      expect(run.error, `known #${i}`).toBeUndefined();
      expect(other.error, `unknown #${i}`).toBeUndefined();
      expect(Object.keys(run.value ?? {})).toEqual(["requestId"]);
      expect(seen(run.value, knownAddress)).toBe(seen(other.value, unknownAddress));
    }
    // The same mail goes to both, and nothing is linked to the person before staff look at it.
    const knownMails = await mailsTo(knownAddress);
    expect(knownMails).toHaveLength(3);
    expect(knownMails).toEqual(await mailsTo(unknownAddress));
    const rows = await Promise.all(
      [...known, ...unknown].map(async (run) => {
        const [row] = await testDb.db
          .select()
          .from(schema.dsrRequests)
          .where(eq(schema.dsrRequests.id, run.value?.requestId ?? ""));
        return row;
      }),
    );
    expect(rows.map((row) => [row?.subjectId, row?.status])).toEqual(
      Array.from({ length: 6 }, () => [null, "pending_verification"]),
    );

    // Verifying and the status page read the same for both.
    const follow = async (address: string, requestId: string) => {
      const verified = await visitor().portal.verify({ requestId, code: await codeFor(address) });
      const status = await visitor().portal.status({ reference: verified.reference, token: verified.token });
      return seen({ verified: { ...verified, dueAt: verified.dueAt ? "<due>" : null }, status }, address);
    };
    const knownFollowUp = await follow(knownAddress, known.at(-1)?.value?.requestId ?? "");
    expect(knownFollowUp).toBe(await follow(unknownAddress, unknown.at(-1)?.value?.requestId ?? ""));
    expect(knownFollowUp).not.toMatch(/Known Person|pseudonym|subject|template/i);

    // The fourth request is refused for both, with the same words.
    const [knownRefused, unknownRefused] = [await attempt(knownAddress), await attempt(unknownAddress)];
    expect(knownRefused.error).toMatchObject({ code: "TOO_MANY_REQUESTS" });
    expect([unknownRefused.error?.code, unknownRefused.error?.message]).toEqual([
      knownRefused.error?.code,
      knownRefused.error?.message,
    ]);

    const median = (runs: { ms: number }[]) => runs.map((r) => r.ms).sort((a, b) => a - b)[1] ?? 0;
    expect(median(known) / median(unknown)).toBeLessThan(3);
    expect(median(unknown) / median(known)).toBeLessThan(3);
  });

  it("refuses script-laden and oversized input and stores nothing", async () => {
    const before = (await testDb.db.select().from(schema.dsrRequests)).length;
    const base = { siteId, type: "deletion" as const, email: email() };
    for (const input of [
      { ...base, details: "<script>alert(1)</script>" },
      { ...base, reference: "<img src=x onerror=alert(1)>" },
      { ...base, details: "x".repeat(5000) },
      { ...base, email: "not-an-email" },
      { ...base, phone: "+86 138; rm -rf /" },
    ]) {
      await expect(visitor().portal.submit(input)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    }
    expect((await testDb.db.select().from(schema.dsrRequests)).length).toBe(before);
  });

  it("limits requests per contact and per address", async () => {
    const address = email();
    for (let i = 0; i < 3; i++) await visitor().portal.submit({ siteId, type: "access", email: address });
    await expect(visitor().portal.submit({ siteId, type: "access", email: address })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
    const ip = "192.0.2.44";
    for (let i = 0; i < 10; i++) await visitor(ip).portal.submit({ siteId, type: "access", email: email() });
    await expect(visitor(ip).portal.submit({ siteId, type: "access", email: email() })).rejects.toMatchObject({
      code: "TOO_MANY_REQUESTS",
    });
  });
});
