import { createHash, randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import type { Principal } from "@consentry/auth";
import {
  type DeletionCertificate,
  deleteWithdrawnTemplates,
  ERASURE_STEPS,
  type ErasureCounts,
  ErasureRefusedError,
  type ErasureStep,
  eraseSubjectForRequest,
} from "@consentry/core/dsr";
import { encryptString } from "@consentry/crypto";
import { and, canonicalJson, eq, inArray, schema, sql, verifyAuditChain } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callerFor,
  makeOrganization,
  makePrincipal,
  makeTemplates,
  recognitionConsent,
  recordingJobs,
  temporaryStorage,
} from "./testing";

// Real PostgreSQL and a real file store: a person's templates, photos, enrolments, events and
// consents, erased for a deletion request, with nothing left behind and a certificate to show.

const { auditLog, consents, dsrErasures, dsrRequests, enrolmentPhotos, enrolments, faceTemplates, subjects } = schema;
const recognitionEvents = schema.recognitionEvents;

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let manager: Principal;
let orgId: string;
let siteId: string;
let cameraId: string;
const storage = temporaryStorage();
const jobs = recordingJobs();
const api = () => callerFor(testDb.db, manager, jobs, storage);

const TEMPLATES = 3;
const PHOTOS = 2;
const EVENTS = 50;
const EXPECTED: ErasureCounts = {
  templates: TEMPLATES,
  enrolmentPhotos: PHOTOS,
  photoFiles: PHOTOS,
  enrolments: 1,
  recognitionEvents: EVENTS,
  consentsWithdrawn: 1,
};

type Person = { subjectId: string; pseudonym: string; photoKeys: string[]; displayName: string };

/** A consenting, enrolled person with templates, stored photos and recognition events. */
async function person(displayName: string): Promise<Person> {
  const { id: subjectId, pseudonym } = await api().subjects.create({
    orgId,
    displayName,
    contact: `${displayName.toLowerCase().replace(/\W/g, "")}@example.cn`,
    isMinor: false,
    birthYear: 1990,
  });
  const consent = await api().subjects.giveConsent({ orgId, ...recognitionConsent(subjectId, siteId) });
  const { db } = testDb;
  const templateIds = await makeTemplates(db, { orgId, subjectId, siteId, consentId: consent.id }, TEMPLATES);
  const [enrolment] = await db
    .insert(enrolments)
    .values({ orgId, subjectId, siteId, consentId: consent.id, status: "done" })
    .returning({ id: enrolments.id });
  const photoKeys: string[] = [];
  for (let position = 0; position < PHOTOS; position++) {
    const { key } = await storage.put("enrolment-photo", randomBytes(256), "bin");
    photoKeys.push(key);
    await db.insert(enrolmentPhotos).values({
      enrolmentId: enrolment?.id as string,
      subjectId,
      position,
      storageKey: key,
      status: "accepted",
      templateId: templateIds[position],
    });
  }
  await db.insert(recognitionEvents).values(
    Array.from({ length: EVENTS }, (_, i) => ({
      orgId,
      siteId,
      cameraId,
      subjectId,
      templateId: templateIds[i % TEMPLATES],
      modelId: "fr_feature",
      at: new Date(Date.now() - i * 1000),
      score: 0.8,
    })),
  );
  return { subjectId, pseudonym, photoKeys, displayName };
}

let requestSequence = 0;
async function deletionRequest(subjectId: string | null, overrides: Partial<typeof dsrRequests.$inferInsert> = {}) {
  const referenceCode = `R-DSR${Date.now().toString(36).toUpperCase()}${++requestSequence}`;
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
      submittedAt: new Date("2026-11-02T07:55:00Z"),
      status: "approved",
      ...overrides,
    })
    .returning({ id: dsrRequests.id, referenceCode: dsrRequests.referenceCode });
  return request as NonNullable<typeof request>;
}

/** Rows anywhere that still refer to the person, and their photo files still in storage. */
async function residue({ subjectId, photoKeys }: Person) {
  const { db } = testDb;
  const count = async (table: typeof faceTemplates | typeof enrolmentPhotos | typeof enrolments) =>
    (await db.select({ id: table.id }).from(table).where(eq(table.subjectId, subjectId))).length;
  const events = await db
    .select({ id: recognitionEvents.id })
    .from(recognitionEvents)
    .where(eq(recognitionEvents.subjectId, subjectId));
  const activeConsents = await db
    .select({ id: consents.id })
    .from(consents)
    .where(and(eq(consents.subjectId, subjectId), sql`${consents.withdrawnAt} is null`));
  const files = await Promise.all(
    photoKeys.map((key) =>
      storage.read(key).then(
        () => 1,
        () => 0,
      ),
    ),
  );
  const [subject] = await db.select().from(subjects).where(eq(subjects.id, subjectId));
  return {
    templates: await count(faceTemplates),
    photos: await count(enrolmentPhotos),
    enrolments: await count(enrolments),
    events: events.length,
    activeConsents: activeConsents.length,
    files: files.reduce<number>((a, b) => a + b, 0),
    personal: [subject?.displayNameEnc, subject?.contactEnc, subject?.birthYear].filter((v) => v != null).length,
  };
}
const NO_RESIDUE = { templates: 0, photos: 0, enrolments: 0, events: 0, activeConsents: 0, files: 0, personal: 0 };

const sha256 = (value: unknown) => createHash("sha256").update(canonicalJson(value)).digest("hex");

async function completionEntries(requestId: string) {
  return testDb.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, "dsr.erasure.complete"), eq(auditLog.targetId, requestId)));
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
  const site = await api().sites.create({
    orgId,
    name: "Jing'an Residences",
    address: "1 Yan'an Road",
    regionCode: "310106",
    kind: "residential",
    templateRetentionDays: 365,
  });
  siteId = site.id;
  await api().assessments.create({
    orgId,
    siteId,
    scope: "Gate",
    approver: "DPO",
    documentSha256: "c".repeat(64),
    completedAt: new Date(),
    nextReviewAt: null,
  });
  const [camera] = await testDb.db
    .insert(schema.cameras)
    .values({
      orgId,
      siteId,
      name: "Gate",
      rtspUrlEnc: encryptString("rtsp://10.0.0.1/gate", "cameras.rtsp_url"),
      rtspUrlMasked: "rtsp://10.0.0.1/gate",
      locationType: "entrance",
      frEnabled: true,
    })
    .returning({ id: schema.cameras.id });
  cameraId = camera?.id as string;
}, 60_000);

afterAll(async () => {
  await testDb?.drop();
  await rm(storage.root, { recursive: true, force: true });
});

describe("erasure for a deletion request", { timeout: 30_000 }, () => {
  it("leaves nothing of the person anywhere and certifies it, in the audit log too", async () => {
    const subject = await person("Zhang Wei");
    const bystander = await person("Wang Fang");
    const request = await deletionRequest(subject.subjectId);

    const result = await eraseSubjectForRequest({ db: testDb.db, storage, requestId: request.id });

    expect(await residue(subject)).toEqual(NO_RESIDUE);
    expect(result.certificate).toMatchObject({
      version: 2,
      requestReference: request.referenceCode,
      organisation: { id: orgId },
      site: { id: siteId, name: "Jing'an Residences" },
      subject: { pseudonym: subject.pseudonym },
      requestVerifiedAt: "2026-11-02T08:00:00.000Z",
      alreadyErased: false,
      items: EXPECTED,
      residualScan: { rowsFound: 0, filesFound: 0, storageKeysChecked: PHOTOS },
      modelIds: ["fr_feature"],
    });
    expect(result.certificate.residualScan.tablesChecked).toEqual(
      expect.arrayContaining(["face_templates", "enrolment_photos", "enrolments", "recognition_events", "consents"]),
    );
    expect(result.siteIds).toEqual([siteId]);

    // The stored certificate hashes (canonical JSON) to the stored and returned hash.
    const [stored] = await testDb.db.select().from(dsrRequests).where(eq(dsrRequests.id, request.id));
    expect(stored).toMatchObject({ status: "completed", certificateSha256: result.sha256 });
    expect(stored?.closedAt).toBeInstanceOf(Date);
    expect(stored?.outcome).toContain("face templates 3");
    expect(sha256(stored?.certificate)).toBe(result.sha256);

    const [entry] = await completionEntries(request.id);
    expect(entry?.details).toMatchObject({ certificateSha256: result.sha256, pseudonym: subject.pseudonym });
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true });
    // Nothing personal in the certificate or the audit entry: the pseudonym only.
    expect(JSON.stringify([stored?.certificate, entry?.details])).not.toMatch(/Zhang|zhangwei|example\.cn/);

    // The person stays, as a pseudonym the audit chain can still point to; consents end with the request.
    const [row] = await testDb.db.select().from(subjects).where(eq(subjects.id, subject.subjectId));
    expect(row).toMatchObject({ pseudonym: subject.pseudonym, displayNameEnc: null, contactEnc: null });
    expect(row?.erasedAt).toBeInstanceOf(Date);
    const [consent] = await testDb.db.select().from(consents).where(eq(consents.subjectId, subject.subjectId));
    expect(consent?.withdrawalReason).toBe(`erasure request ${request.referenceCode}`);

    // Someone else at the same site keeps everything.
    expect(await residue(bystander)).toEqual({
      templates: TEMPLATES,
      photos: PHOTOS,
      enrolments: 1,
      events: EVENTS,
      activeConsents: 1,
      files: PHOTOS,
      personal: 3,
    });
  });

  it("returns the same certificate on a retry after completion, doing nothing again", async () => {
    const subject = await person("Li Na");
    const request = await deletionRequest(subject.subjectId);
    const first = await eraseSubjectForRequest({ db: testDb.db, storage, requestId: request.id });
    const auditCount = (await testDb.db.select({ id: auditLog.id }).from(auditLog)).length;

    const again = await eraseSubjectForRequest({ db: testDb.db, storage, requestId: request.id });
    expect(again).toEqual(first);
    expect((await testDb.db.select({ id: auditLog.id }).from(auditLog)).length).toBe(auditCount);
    const [progress] = await testDb.db.select().from(dsrErasures).where(eq(dsrErasures.requestId, request.id));
    expect(progress?.attempts).toBe(1);
  });

  it.each(ERASURE_STEPS)(
    "resumes after a crash following the %s step: one certificate, clean-run counts",
    async (step) => {
      const subject = await person(`Crash ${step}`);
      const request = await deletionRequest(subject.subjectId);
      const crashAfter = (done: ErasureStep) => {
        if (done === step) throw new Error(`simulated crash after ${step}`);
      };

      await expect(
        eraseSubjectForRequest({ db: testDb.db, storage, requestId: request.id, afterStep: crashAfter }),
      ).rejects.toThrow(`simulated crash after ${step}`);
      const [interrupted] = await testDb.db.select().from(dsrRequests).where(eq(dsrRequests.id, request.id));
      expect(interrupted?.status).toBe("approved");
      expect(interrupted?.certificate).toBeNull();

      const result = await eraseSubjectForRequest({ db: testDb.db, storage, requestId: request.id });
      expect(result.certificate.items).toEqual(EXPECTED);
      expect(result.certificate.alreadyErased).toBe(false);
      expect(result.siteIds).toEqual([siteId]);
      expect(await residue(subject)).toEqual(NO_RESIDUE);
      expect(await completionEntries(request.id)).toHaveLength(1);
      const [progress] = await testDb.db.select().from(dsrErasures).where(eq(dsrErasures.requestId, request.id));
      expect(progress?.attempts).toBe(2);
    },
  );

  it("erases once when two requests for one person run at the same time", async () => {
    const subject = await person("Liu Yang");
    const first = await deletionRequest(subject.subjectId);
    const second = await deletionRequest(subject.subjectId);

    const results = await Promise.all(
      [first, second].map((request) => eraseSubjectForRequest({ db: testDb.db, storage, requestId: request.id })),
    );

    expect(await residue(subject)).toEqual(NO_RESIDUE);
    const requests = await testDb.db
      .select()
      .from(dsrRequests)
      .where(inArray(dsrRequests.id, [first.id, second.id]));
    expect(requests.map((request) => request.status)).toEqual(["completed", "completed"]);
    const certificates = results.map((result) => result.certificate);
    const [full, empty] = [...certificates].sort((a, b) => b.items.templates - a.items.templates) as [
      DeletionCertificate,
      DeletionCertificate,
    ];
    expect(full).toMatchObject({ items: EXPECTED, alreadyErased: false });
    expect(empty).toMatchObject({
      items: {
        templates: 0,
        enrolmentPhotos: 0,
        photoFiles: 0,
        enrolments: 0,
        recognitionEvents: 0,
        consentsWithdrawn: 0,
      },
      alreadyErased: true,
    });
    expect(results.map((result) => result.sha256)).toEqual(requests.map(() => expect.stringMatching(/^[0-9a-f]{64}$/)));
    expect(results[0]?.sha256).not.toBe(results[1]?.sha256);
  });

  it("refuses requests that are not approved deletions of a linked person, for good", async () => {
    const subject = await person("Chen Chen");
    const open = await deletionRequest(subject.subjectId, { status: "open" });
    const access = await deletionRequest(subject.subjectId, { type: "access" });
    const unlinked = await deletionRequest(null);
    for (const request of [open, access, unlinked]) {
      await expect(eraseSubjectForRequest({ db: testDb.db, storage, requestId: request.id })).rejects.toBeInstanceOf(
        ErasureRefusedError,
      );
    }
    await expect(
      eraseSubjectForRequest({ db: testDb.db, storage, requestId: "00000000-0000-4000-8000-000000000000" }),
    ).rejects.toBeInstanceOf(ErasureRefusedError);
    // Nothing was touched.
    expect((await residue(subject)).templates).toBe(TEMPLATES);
  });
});

describe("template deletion after a withdrawal", () => {
  it("deletes only the job's templates that are queued for deletion, and audits the count", async () => {
    const subject = await person("Zhao Lei");
    const templates = await testDb.db
      .select({ id: faceTemplates.id })
      .from(faceTemplates)
      .where(eq(faceTemplates.subjectId, subject.subjectId));
    const [queuedA, queuedB, notQueued] = templates.map((t) => t.id) as [string, string, string];
    await testDb.db
      .update(faceTemplates)
      .set({ deletionQueuedAt: new Date() })
      .where(inArray(faceTemplates.id, [queuedA, queuedB]));
    const job = {
      jobId: `template-deletion-${randomBytes(4).toString("hex")}`,
      subjectId: subject.subjectId,
      templateIds: [queuedA, queuedB, notQueued],
      reason: "consent_withdrawn" as const,
    };

    expect(await deleteWithdrawnTemplates({ db: testDb.db, job })).toEqual({ deleted: 2, siteIds: [siteId] });
    const left = await testDb.db
      .select({ id: faceTemplates.id })
      .from(faceTemplates)
      .where(eq(faceTemplates.subjectId, subject.subjectId));
    expect(left.map((t) => t.id)).toEqual([notQueued]);
    const entries = await testDb.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "template.delete"), eq(auditLog.targetId, subject.subjectId)));
    expect(entries).toHaveLength(1);
    expect(entries[0]?.details).toMatchObject({ count: 2, jobId: job.jobId, pseudonym: subject.pseudonym });

    // A retry finds nothing more to do and writes no second entry.
    expect(await deleteWithdrawnTemplates({ db: testDb.db, job })).toEqual({ deleted: 0, siteIds: [] });
    expect(
      await testDb.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "template.delete"), eq(auditLog.targetId, subject.subjectId))),
    ).toHaveLength(1);
  });
});
