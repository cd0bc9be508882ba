import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptString } from "@consentry/crypto";
import { eq, schema, writeAudit } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { JOBS, producerOptions, QUEUE_NAMES, redisConnection } from "@consentry/queue";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubject, giveConsent } from "../subjects";
import {
  makeAnalysedSite,
  makeOrganization,
  makeTemplates,
  recognitionConsent,
  TEST_ACTOR,
  temporaryStorage,
  unique,
} from "../testing";
import { consentFields, subjectFields } from "../validators";
import { type ErasureStep, eraseSubjectForRequest } from "./erase-subject";
import { RESIDUAL_SCAN_PLACES, RESIDUAL_SCAN_TABLES, scanResidue } from "./residue";

// The residual scan against real PostgreSQL, Redis (a private BullMQ prefix), file store and dev
// mailbox folder: after the erasure's steps it finds nothing, and it finds a leftover planted in
// each place it checks. The portal request's contact goes with the certificate.

const {
  complianceSnapshots,
  consents,
  dsrErasures,
  dsrRequests,
  enrolmentPhotos,
  enrolments,
  recognitionEvents,
  subjects,
} = schema;
const prefix = `test-residue-${randomBytes(4).toString("hex")}`;
const redis = new Redis(redisConnection(env.REDIS_URL));
const mailbox = mkdtempSync(join(tmpdir(), "consentry-residue-mail-"));
const storage = temporaryStorage();
const erasureQueue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(env.REDIS_URL, prefix));
const enrolmentQueue = new Queue(QUEUE_NAMES.enrolment, producerOptions(env.REDIS_URL, prefix));
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let siteId: string;
let cameraId: string;
const reach = () => ({ redis: { client: redis, prefix }, devMailboxDir: mailbox });
const deps = () => ({ db: testDb.db, actor: TEST_ACTOR, orgId });

async function plantMail(to: string) {
  const id = `${Date.now()}-${randomBytes(3).toString("hex")}`;
  await writeFile(join(mailbox, `${id}.json`), JSON.stringify({ id, to, subject: "code", text: "", receivedAt: "" }));
}

/** A person with face data, a portal deletion request (approved), mail and jobs in Redis. */
async function personWithRequest() {
  const address = `leak-${randomBytes(4).toString("hex")}@example.cn`;
  const { id: subjectId, pseudonym } = await createSubject(
    deps(),
    subjectFields.parse({ displayName: "Residue Person", contact: address, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps(), consentFields.parse(recognitionConsent(subjectId, siteId)));
  const templateIds = await makeTemplates(testDb.db, { orgId, subjectId, siteId, consentId: consent.id }, 1);
  const [enrolment] = await testDb.db
    .insert(enrolments)
    .values({ orgId, subjectId, siteId, consentId: consent.id, status: "done" })
    .returning({ id: enrolments.id });
  const enrolmentId = enrolment?.id as string;
  const { key } = await storage.put("enrolment-photo", randomBytes(64), "bin");
  await testDb.db.insert(enrolmentPhotos).values({ enrolmentId, subjectId, position: 0, storageKey: key });
  // A recognition event with its (sealed) snapshot.
  const { key: snapshotKey } = await storage.put("event-snapshot", randomBytes(64), "bin");
  await testDb.db.insert(recognitionEvents).values({
    orgId,
    siteId,
    cameraId,
    subjectId,
    templateId: templateIds[0],
    at: new Date(),
    score: 0.9,
    snapshotPath: snapshotKey,
  });
  const contact = JSON.stringify({ email: address, phone: null, reference: null, details: null });
  const [request] = await testDb.db
    .insert(dsrRequests)
    .values({
      orgId,
      siteId,
      subjectId,
      type: "deletion",
      referenceCode: `R-${randomBytes(5).toString("hex").toUpperCase()}`,
      contactEnc: encryptString(contact, "dsr_requests.contact"),
      contactHash: "c".repeat(64),
      verifiedAt: new Date(),
      status: "approved",
    })
    .returning({ id: dsrRequests.id });
  // An older, closed request of the same person, still holding its contact.
  await testDb.db.insert(dsrRequests).values({
    orgId,
    siteId,
    subjectId,
    type: "access",
    referenceCode: `R-${randomBytes(5).toString("hex").toUpperCase()}`,
    contactEnc: encryptString(contact, "dsr_requests.contact"),
    contactHash: "c".repeat(64),
    status: "completed",
  });
  await plantMail(address);
  await plantMail("someone.else@example.cn");
  // Jobs about the person: the enrolment's, and a template deletion naming them.
  await JOBS.enrolment.add(enrolmentQueue, { enrolmentId });
  await JOBS.templateDeletion.add(erasureQueue, {
    jobId: `template-deletion-${consent.id}`,
    subjectId,
    templateIds,
    consentIds: [consent.id],
    reason: "consent_withdrawn",
  });
  return {
    subjectId,
    pseudonym,
    address,
    requestId: request?.id as string,
    consentId: consent.id,
    templateId: templateIds[0] as string,
    key,
    snapshotKey,
  };
}

/** Runs every erasing step and stops right before the certificate (a crash), so the request keeps its contact. */
async function eraseUpToTheCertificate(requestId: string) {
  const stop = new Error("stop before the certificate");
  await expect(
    eraseSubjectForRequest({
      db: testDb.db,
      storage,
      requestId,
      ...reach(),
      afterStep: (step: ErasureStep) => {
        if (step === "residualScan") throw stop;
      },
    }),
  ).rejects.toBe(stop);
}

const mailTo = async (address: string) => {
  let count = 0;
  for (const file of await readdir(mailbox))
    if ((await readFile(join(mailbox, file), "utf8")).includes(address)) count++;
  return count;
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  const site = await makeAnalysedSite(testDb.db, orgId, {
    name: unique("Residue Court"),
    cameras: [{ name: "Gate", rtspUrl: `rtsp://10.40.0.1:554/${unique("cam")}`, frEnabled: false }],
  });
  siteId = site.siteId;
  cameraId = site.cameraIds[0] as string;
}, 60_000);

afterAll(async () => {
  await erasureQueue.obliterate({ force: true }).catch(() => {});
  await enrolmentQueue.obliterate({ force: true }).catch(() => {});
  await Promise.all([erasureQueue.close(), enrolmentQueue.close()]);
  await redis.quit();
  await testDb?.drop();
  await rm(mailbox, { recursive: true, force: true });
  await rm(storage.root, { recursive: true, force: true });
});

describe("residual scan", { timeout: 60_000 }, () => {
  it("finds nothing after the steps, and a planted leftover in each place it checks", async () => {
    const person = await personWithRequest();
    // A snapshot written before snapshots dropped person ids: its person targets lose theirs.
    const [legacy] = await testDb.db
      .insert(complianceSnapshots)
      .values({
        orgId,
        siteId,
        regionCode: "310101",
        score: 60,
        findings: [
          { ruleId: "CN-FR-05", target: { type: "subject", id: person.subjectId, label: person.pseudonym } },
          { ruleId: "CN-FR-04", target: { type: "template", id: person.templateId, label: "Template of P" } },
          { ruleId: "CN-FR-08", target: { type: "site", id: siteId, label: "Residue Court" } },
        ],
      })
      .returning({ id: complianceSnapshots.id });
    const scope = { requestId: person.requestId, ...reach() };
    const before = await scanResidue(testDb.db, storage, person.subjectId, [person.key], scope);
    expect(before.byTable).toMatchObject({
      face_templates: 1,
      dsr_requests: 1,
      compliance_snapshots: 1,
      redis: 1,
      dev_mailbox: 1,
    });

    await eraseUpToTheCertificate(person.requestId);
    // The steps recorded the files they removed, the event's snapshot among them.
    const [progress] = await testDb.db
      .select({ keys: dsrErasures.photoKeys })
      .from(dsrErasures)
      .where(eq(dsrErasures.requestId, person.requestId));
    expect(progress?.keys.sort()).toEqual([person.key, person.snapshotKey].sort());
    const clean = await scanResidue(testDb.db, storage, person.subjectId, progress?.keys ?? [], scope);
    expect(clean).toMatchObject({ rows: 0, files: 0, keysChecked: 2 });
    const [kept] = await testDb.db
      .select({ findings: complianceSnapshots.findings })
      .from(complianceSnapshots)
      .where(eq(complianceSnapshots.id, legacy?.id as string));
    expect(kept?.findings).toEqual([
      { ruleId: "CN-FR-05", target: { type: "subject", label: person.pseudonym } },
      { ruleId: "CN-FR-04", target: { type: "template", label: "Template of P" } },
      { ruleId: "CN-FR-08", target: { type: "site", id: siteId, label: "Residue Court" } },
    ]);
    expect(Object.keys(clean.byTable).sort()).toEqual([...RESIDUAL_SCAN_TABLES, ...RESIDUAL_SCAN_PLACES].sort());
    expect(await mailTo(person.address)).toBe(0);
    expect(await mailTo("someone.else@example.cn")).toBe(1);

    // One leftover in each place.
    const { subjectId, address } = person;
    const [consent] = await testDb.db
      .insert(consents)
      .values({ orgId, subjectId, siteId, purpose: "entry_verification", method: "written", givenAt: new Date() })
      .returning({ id: consents.id });
    const [template] = await makeTemplates(
      testDb.db,
      { orgId, subjectId, siteId, consentId: consent?.id as string },
      1,
    );
    const [enrolment] = await testDb.db
      .insert(enrolments)
      .values({ orgId, subjectId, siteId, status: "done" })
      .returning({ id: enrolments.id });
    await testDb.db.insert(enrolmentPhotos).values({
      enrolmentId: enrolment?.id as string,
      subjectId,
      position: 0,
      storageKey: "planted",
    });
    await testDb.db
      .insert(recognitionEvents)
      .values({ orgId, siteId, cameraId, subjectId, templateId: template, at: new Date(), score: 0.9 });
    await testDb.db
      .update(subjects)
      .set({ displayNameEnc: encryptString("Residue Person", "subjects.display_name") })
      .where(eq(subjects.id, subjectId));
    await testDb.db.insert(dsrRequests).values({
      orgId,
      siteId,
      subjectId,
      type: "correction",
      referenceCode: `R-${randomBytes(5).toString("hex").toUpperCase()}`,
      contactEnc: encryptString("{}", "dsr_requests.contact"),
      contactHash: "d".repeat(64),
      status: "refused",
    });
    await writeAudit(testDb.db, {
      actor: TEST_ACTOR,
      orgId,
      action: "test.leak",
      targetType: "request",
      targetId: randomUUID(),
      details: { note: `mailed ${address}` },
    });
    // A field that holds a name, in an entry about the person.
    await writeAudit(testDb.db, {
      actor: TEST_ACTOR,
      orgId,
      action: "test.leak",
      targetType: "subject",
      targetId: subjectId,
      details: { displayName: "(planted)" },
    });
    await testDb.db.insert(complianceSnapshots).values({
      orgId,
      siteId,
      regionCode: "310101",
      score: 90,
      findings: [{ ruleId: "TEST", message: `about ${address.toUpperCase()}` }],
    });
    // The person's id in a finding's text, and a template target that kept its id.
    await testDb.db.insert(complianceSnapshots).values([
      { orgId, siteId, regionCode: "310101", score: 90, findings: [{ ruleId: "TEST", message: `of ${subjectId}` }] },
      {
        orgId,
        siteId,
        regionCode: "310101",
        score: 90,
        findings: [{ ruleId: "TEST", target: { type: "template", id: randomUUID(), label: "Template of P" } }],
      },
    ]);
    await JOBS.templateDeletion.add(erasureQueue, {
      jobId: `template-deletion-planted-${randomBytes(3).toString("hex")}`,
      subjectId,
      templateIds: [],
      reason: "consent_withdrawn",
    });
    await plantMail(address);
    const { key: file } = await storage.put("enrolment-photo", randomBytes(64), "bin");
    // The event's snapshot file back where it was.
    await writeFile(join(storage.root, person.snapshotKey), randomBytes(64));

    const found = await scanResidue(testDb.db, storage, subjectId, [...(progress?.keys ?? []), file], scope);
    expect(found.byTable).toEqual({
      face_templates: 1,
      enrolment_photos: 1,
      enrolments: 1,
      recognition_events: 1,
      consents: 1,
      subjects: 1,
      dsr_requests: 1,
      audit_log: 2,
      compliance_snapshots: 3,
      redis: 1,
      dev_mailbox: 1,
    });
    expect(found).toMatchObject({ rows: 14, files: 2 });
  });

  it("pseudonymises the request's contact when the erasure completes, and removes the person's jobs", async () => {
    const person = await personWithRequest();
    const result = await eraseSubjectForRequest({ db: testDb.db, storage, requestId: person.requestId, ...reach() });
    expect(result.certificate.residualScan).toMatchObject({
      rowsFound: 0,
      placesChecked: ["audit_log", "compliance_snapshots", "redis", "dev_mailbox"],
    });
    const requests = await testDb.db
      .select({
        contactEnc: dsrRequests.contactEnc,
        at: dsrRequests.contactPseudonymisedAt,
        hash: dsrRequests.contactHash,
      })
      .from(dsrRequests)
      .where(eq(dsrRequests.subjectId, person.subjectId));
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.contactEnc).toBeNull();
      expect(request.at).toBeInstanceOf(Date);
      expect(request.hash).toBe("c".repeat(64));
    }
    // Nothing in this prefix's job hashes or event streams names the person or the enrolment.
    const [enrolmentJob] = await enrolmentQueue.getJobs(["waiting", "completed", "failed", "delayed"]);
    expect(enrolmentJob).toBeUndefined();
    const keys = await redis.keys(`${prefix}:*`);
    for (const key of keys) {
      const type = await redis.type(key);
      const text =
        type === "hash"
          ? JSON.stringify(await redis.hgetall(key))
          : type === "stream"
            ? JSON.stringify(await redis.xrange(key, "-", "+"))
            : key;
      expect(text).not.toContain(person.subjectId);
      expect(text).not.toContain(person.consentId);
    }
  });
});
