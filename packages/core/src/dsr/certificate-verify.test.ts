import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { RULE_CATALOGUE_VERSION } from "@consentry/compliance";
import { encryptString } from "@consentry/crypto";
import { eq, schema, sql } from "@consentry/db";
import { createTestDatabase, tamperWithAuditLog } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateDownload, requestCertificate } from "../portal/certificate";
import { statusToken } from "../portal/services";
import { approveRequest } from "../requests/approve-request";
import { createSubject, giveConsent } from "../subjects";
import {
  makeAnalysedSite,
  makeOrganization,
  makeTemplates,
  recognitionConsent,
  recordingJobs,
  TEST_ACTOR,
  temporaryStorage,
  unique,
} from "../testing";
import { consentFields, subjectFields } from "../validators";
import { type DeletionCertificate, staffPseudonym } from "./certificate";
import { formatVerdict, verifyCertificateFile, verifyCertificateReference } from "./certificate-verify";
import { eraseSubjectForRequest } from "./erase-subject";

// A deletion approved by a manager and erased (real PostgreSQL and file store): the certificate
// names the approver by role and pseudonym and the rule catalogue; its JSON download hashes to
// the stated SHA-256, its PDF prints it; the verifier finds it in the audit chain and catches
// an altered file, an altered stored certificate and a broken chain.

const { dsrRequests, memberships, users } = schema;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
const storage = temporaryStorage();
let orgId: string;
let siteId: string;
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
const SECRET = "certificate-verify-test-secret";

/** The PDF's text, as a reader extracts it (Courier, for the hash, from pdfjs's own font data). */
async function pdfText(bytes: Buffer) {
  const standardFontDataUrl = join(
    dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json")),
    "standard_fonts/",
  );
  const document = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl }).promise;
  const pages = await Promise.all(
    Array.from({ length: document.numPages }, async (_, i) => {
      const content = await (await document.getPage(i + 1)).getTextContent();
      return content.items.map((item) => ("str" in item ? item.str : "")).join(" ");
    }),
  );
  return pages.join("\n");
}

/** `npm run certificate:verify -- …args` against the test database: its exit status and output. */
async function cli(...args: string[]) {
  const script = new URL("./certificate-verify-cli.ts", import.meta.url).pathname;
  const tsx = createRequire(import.meta.url).resolve("tsx/cli");
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, script, ...args], {
      // Only what the command reads: the test database and the audit keys this test wrote with.
      env: { APP_ENV: "test", DATABASE_URL: testDb.url, CONSENTRY_AUDIT_KEYS: env.CONSENTRY_AUDIT_KEYS },
    });
    return { status: 0, stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { status: failed.code, stdout: failed.stdout + failed.stderr };
  }
}

/** A manager of the organisation, as sign-in makes them. */
async function manager() {
  const userId = unique("user");
  await testDb.db.insert(users).values({ id: userId, name: "Li Manager", email: `${userId}@example.cn` });
  await testDb.db.insert(memberships).values({ orgId, userId, role: "manager" });
  return { userId, label: `${userId}@example.cn` };
}

/** An enrolled person, their verified deletion request approved by a manager and erased. */
async function erasedRequest() {
  const deps = { db: testDb.db, actor: TEST_ACTOR, orgId };
  const { id: subjectId } = await createSubject(
    deps,
    subjectFields.parse({ displayName: "Erased Person", contact: null, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps, consentFields.parse(recognitionConsent(subjectId, siteId)));
  await makeTemplates(testDb.db, { orgId, subjectId, siteId, consentId: consent.id }, 3);
  const referenceCode = `R-${unique("CV").toUpperCase()}`.slice(0, 20);
  const [request] = await testDb.db
    .insert(dsrRequests)
    .values({
      orgId,
      siteId,
      subjectId,
      type: "deletion",
      referenceCode,
      contactEnc: encryptString(JSON.stringify({ email: "requester@example.cn" }), "dsr_requests.contact"),
      contactHash: "h".repeat(64),
      verifiedAt: new Date("2026-11-02T08:00:00Z"),
      status: "open",
    })
    .returning({ id: dsrRequests.id });
  const approver = await manager();
  await approveRequest(
    { db: testDb.db, actor: approver, orgId, jobs: recordingJobs() },
    { requestId: request?.id as string },
  );
  const result = await eraseSubjectForRequest({ db: testDb.db, storage, requestId: request?.id as string });
  return { referenceCode, approver, result };
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  const site = await makeAnalysedSite(testDb.db, orgId, {
    name: unique("Certificate Court"),
    cameras: [{ name: "Gate", rtspUrl: `rtsp://10.31.0.1:554/${unique("cam")}`, frEnabled: false }],
  });
  siteId = site.siteId;
}, 60_000);

afterAll(async () => {
  await testDb?.drop();
  await rm(storage.root, { recursive: true, force: true });
});

// The command runs twice, in a process of its own each: slow on a shared, loaded machine.
describe("deletion certificates", { timeout: 60_000 }, () => {
  let erased: Awaited<ReturnType<typeof erasedRequest>>;
  let json: Buffer;

  beforeAll(async () => {
    erased = await erasedRequest();
  });

  it("name the approver by role and pseudonym (never a name or contact) and the rule catalogue", () => {
    const certificate = erased.result.certificate;
    expect(certificate).toMatchObject({
      version: 2,
      requestReference: erased.referenceCode,
      items: { templates: 3, consentsWithdrawn: 1 },
      approvedBy: { staffId: staffPseudonym(erased.approver.userId), role: "manager" },
      catalogueVersion: RULE_CATALOGUE_VERSION,
    });
    expect(certificate.approvedBy?.staffId).toMatch(/^staff-[0-9a-f]{12}$/);
    expect(JSON.stringify(certificate)).not.toMatch(/Li Manager|example\.cn|Erased Person/);
    expect(JSON.stringify(certificate)).not.toContain(erased.approver.userId);
  });

  it("download as JSON whose bytes hash to the stated SHA-256, and as a bilingual PDF printing it", async () => {
    const found = await requestCertificate(
      { db: testDb.db, secret: SECRET },
      { reference: erased.referenceCode, token: statusToken(SECRET, erased.referenceCode) },
    );
    expect(found.sha256).toBe(erased.result.sha256);
    const download = await certificateDownload(found, "json");
    json = download.body;
    expect(download.fileName).toBe(`deletion-certificate-${erased.referenceCode}.json`);
    expect(sha256(json)).toBe(found.sha256);
    expect(JSON.parse(json.toString("utf8"))).toEqual(erased.result.certificate);

    const pdf = await certificateDownload(found, "pdf");
    expect(pdf).toMatchObject({
      contentType: "application/pdf",
      fileName: `deletion-certificate-${erased.referenceCode}.pdf`,
    });
    const text = (await pdfText(pdf.body)).replace(/\s+/g, "");
    for (const expected of [
      erased.referenceCode,
      found.sha256,
      "删除证明",
      "Deletioncertificate",
      "人脸模板Facetemplatesface_templates3",
      staffPseudonym(erased.approver.userId),
      "经理Manager",
      RULE_CATALOGUE_VERSION.replace(/\s+/g, ""),
      `deletion-certificate-${erased.referenceCode}.json`,
    ]) {
      expect(text).toContain(expected);
    }
    expect(text).not.toMatch(/LiManager|example\.cn|ErasedPerson/);
  });

  it("verify from the downloaded file or the reference against the audit chain", async () => {
    const file = await verifyCertificateFile(testDb.db, json);
    expect(file).toMatchObject({
      ok: true,
      kind: "deletion",
      reference: erased.referenceCode,
      sha256: erased.result.sha256,
    });
    expect(file.checks.every((check) => check.ok === true)).toBe(true);
    expect(formatVerdict(file)).toMatch(/^deletion certificate R-\S+: VALID\n/);

    expect(await verifyCertificateReference(testDb.db, erased.referenceCode)).toMatchObject({ ok: true });

    // The command the organisation runs: exit status 0 and the verdict.
    const dir = await mkdtemp(join(tmpdir(), "consentry-certificate-"));
    const path = join(dir, `deletion-certificate-${erased.referenceCode}.json`);
    await writeFile(path, json);
    const run = await cli(path);
    await rm(dir, { recursive: true, force: true });
    expect(run.stdout).toContain(`deletion certificate ${erased.referenceCode}: VALID`);
    expect(run.status).toBe(0);

    // An earlier, pretty-printed download: its content still verifies, and the verdict says the bytes differ.
    const pretty = await verifyCertificateFile(
      testDb.db,
      Buffer.from(JSON.stringify(JSON.parse(json.toString()), null, 2)),
    );
    expect(pretty.ok).toBe(true);
    expect(pretty.checks[0]).toMatchObject({ ok: null, text: expect.stringContaining("not in canonical form") });
  });

  it("refuse an altered file, an altered stored certificate, and a broken chain", async () => {
    const altered = JSON.parse(json.toString()) as DeletionCertificate;
    altered.items.templates = 0;
    const forged = await verifyCertificateFile(testDb.db, Buffer.from(JSON.stringify(altered)));
    expect(forged.ok).toBe(false);
    expect(formatVerdict(forged)).toContain("✗ no audit entry records the SHA-256");
    expect((await verifyCertificateFile(testDb.db, Buffer.from("{not json"))).ok).toBe(false);
    expect((await verifyCertificateReference(testDb.db, "R-NOSUCH")).ok).toBe(false);

    // The organisation's stored copy rewritten (hash and all): the audit chain still knows the original.
    const other = await erasedRequest();
    const rewritten = { ...other.result.certificate, items: { ...other.result.certificate.items, templates: 0 } };
    await testDb.db
      .update(dsrRequests)
      .set({ certificate: rewritten })
      .where(eq(dsrRequests.referenceCode, other.referenceCode));
    const stored = await verifyCertificateReference(testDb.db, other.referenceCode);
    expect(stored.ok).toBe(false);
    expect(stored.checks[0]).toMatchObject({ ok: false, text: expect.stringContaining("not to its stored SHA-256") });

    // The issuing entry edited behind the chain's back: the entry and the chain no longer verify.
    await tamperWithAuditLog(
      testDb.db,
      sql`update audit_log set details = jsonb_set(details, '{attempts}', '7')
          where action = 'dsr.erasure.complete' and details->>'certificateSha256' = ${erased.result.sha256}`,
    );
    const broken = await verifyCertificateFile(testDb.db, json);
    expect(broken.ok).toBe(false);
    const text = formatVerdict(broken);
    expect(text).toContain("NOT VALID");
    expect(text).toContain("the entry itself does not verify");
    expect(text).toMatch(/✗ the audit chain is broken at entry #\d+ \(hash_mismatch\)/);
    const run = await cli("--reference", erased.referenceCode);
    expect(run.stdout).toContain("NOT VALID");
    expect(run.status).toBe(1);
  });
});
