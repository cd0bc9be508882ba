import { createHash, randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { and, canonicalJson, eq, inArray, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSubject, giveConsent, withdrawConsent } from "../subjects";
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
import { deleteWithdrawnTemplates, type WithdrawalCertificate } from "./delete-templates";

// A withdrawal deletes the face data under the consent through its job (real PostgreSQL and file
// store): templates, enrolment photos and their files, the site's recognition events, and issues
// the withdrawal certificate stored on the consent.

const { auditLog, consents, enrolmentPhotos, enrolments, faceTemplates, recognitionEvents } = schema;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
const storage = temporaryStorage();
let orgId: string;
let siteId: string;
let otherSiteId: string;
let cameraId: string;
let otherCameraId: string;
const sha256 = (value: unknown) => createHash("sha256").update(canonicalJson(value)).digest("hex");
const deps = () => ({ db: testDb.db, actor: TEST_ACTOR, orgId });
const fileExists = (key: string) =>
  storage.read(key).then(
    () => true,
    () => false,
  );

/** A consenting person at the site with 2 templates, an enrolment of 2 photos and 5 events (and 3 at another site). */
async function enrolledPerson(options: { sharedKey?: string } = {}) {
  const { id: subjectId } = await createSubject(
    deps(),
    subjectFields.parse({ displayName: "Withdrawing Person", contact: null, isMinor: false, birthYear: null }),
  );
  const consent = await giveConsent(deps(), consentFields.parse(recognitionConsent(subjectId, siteId)));
  const templateIds = await makeTemplates(testDb.db, { orgId, subjectId, siteId, consentId: consent.id }, 2);
  const [enrolment] = await testDb.db
    .insert(enrolments)
    .values({ orgId, subjectId, siteId, consentId: consent.id, status: "done" })
    .returning({ id: enrolments.id });
  const own = await storage.put("enrolment-photo", randomBytes(256), "bin");
  const keys = [own.key, options.sharedKey ?? (await storage.put("enrolment-photo", randomBytes(256), "bin")).key];
  await testDb.db.insert(enrolmentPhotos).values(
    keys.map((storageKey, position) => ({
      enrolmentId: enrolment?.id as string,
      subjectId,
      position,
      storageKey,
      status: "accepted" as const,
      templateId: templateIds[position],
    })),
  );
  const event = (site: string, camera: string) => ({
    orgId,
    siteId: site,
    cameraId: camera,
    subjectId,
    templateId: templateIds[0],
    modelId: "fr_feature",
    at: new Date(),
    score: 0.8,
  });
  await testDb.db
    .insert(recognitionEvents)
    .values([
      ...Array.from({ length: 5 }, () => event(siteId, cameraId)),
      ...Array.from({ length: 3 }, () => event(otherSiteId, otherCameraId)),
    ]);
  return { subjectId, consentId: consent.id, templateIds, enrolmentId: enrolment?.id as string, keys };
}

async function withdraw(consentId: string) {
  const jobs = recordingJobs();
  await withdrawConsent({ ...deps(), jobs }, { consentId, reason: "Moved out" });
  const [job] = jobs.deletions;
  if (!job) throw new Error("the withdrawal queued no deletion job");
  return job;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  const site = await makeAnalysedSite(testDb.db, orgId, {
    name: unique("Withdrawal Court"),
    cameras: [{ name: "Gate", rtspUrl: `rtsp://10.30.0.1:554/${unique("cam")}`, frEnabled: false }],
  });
  const other = await makeAnalysedSite(testDb.db, orgId, {
    name: unique("Other Court"),
    cameras: [{ name: "Gate", rtspUrl: `rtsp://10.30.0.2:554/${unique("cam")}`, frEnabled: false }],
  });
  siteId = site.siteId;
  cameraId = site.cameraIds[0] as string;
  otherSiteId = other.siteId;
  otherCameraId = other.cameraIds[0] as string;
}, 60_000);

afterAll(async () => {
  await testDb?.drop();
  await rm(storage.root, { recursive: true, force: true });
});

describe("withdrawal", { timeout: 30_000 }, () => {
  it("leaves no template, photo row or file under the consent, nor its site's events, and issues a certificate", async () => {
    // Content-addressed storage: another person's photo row points to the same file, so it stays.
    const neighbour = await enrolledPerson();
    const sharedKey = neighbour.keys[0] as string;
    const person = await enrolledPerson({ sharedKey });
    const [ownKey] = person.keys as [string, string];

    const job = await withdraw(person.consentId);
    expect(job).toMatchObject({ subjectId: person.subjectId, consentIds: [person.consentId] });
    const result = await deleteWithdrawnTemplates({ db: testDb.db, storage, job });
    expect(result).toEqual({ deleted: 2, siteIds: [siteId] });

    expect(await testDb.db.select().from(faceTemplates).where(eq(faceTemplates.subjectId, person.subjectId))).toEqual(
      [],
    );
    expect(
      await testDb.db.select().from(enrolmentPhotos).where(eq(enrolmentPhotos.subjectId, person.subjectId)),
    ).toEqual([]);
    expect(await fileExists(ownKey)).toBe(false);
    expect(await fileExists(sharedKey)).toBe(true);
    const events = await testDb.db
      .select({ siteId: recognitionEvents.siteId })
      .from(recognitionEvents)
      .where(eq(recognitionEvents.subjectId, person.subjectId));
    // The events at the other site are under no consent this withdrawal touched.
    expect(events.map((row) => row.siteId)).toEqual([otherSiteId, otherSiteId, otherSiteId]);
    // The neighbour keeps everything.
    expect(
      await testDb.db.select().from(faceTemplates).where(eq(faceTemplates.subjectId, neighbour.subjectId)),
    ).toHaveLength(2);
    expect(
      await testDb.db.select().from(enrolmentPhotos).where(eq(enrolmentPhotos.subjectId, neighbour.subjectId)),
    ).toHaveLength(2);

    const [consent] = await testDb.db.select().from(consents).where(eq(consents.id, person.consentId));
    const certificate = consent?.withdrawalCertificate as WithdrawalCertificate;
    expect(certificate).toMatchObject({
      version: 2,
      kind: "withdrawal",
      requestReference: null,
      approvedBy: null,
      site: { id: siteId },
      consents: [{ id: person.consentId }],
      items: { templates: 2, enrolmentPhotos: 2, photoFiles: 1, recognitionEvents: 5 },
      recognitionEventsKept: false,
      residualScan: { rowsFound: 0, filesFound: 0, storageKeysChecked: 1 },
    });
    expect(consent?.withdrawalCertificateSha256).toBe(sha256(certificate));
    const entries = await testDb.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "consent.withdrawal.complete"), eq(auditLog.targetId, person.subjectId)));
    expect(entries).toHaveLength(1);
    expect(entries[0]?.details).toMatchObject({ certificateSha256: consent?.withdrawalCertificateSha256 });
    expect(JSON.stringify(entries[0]?.details)).not.toContain("Withdrawing Person");

    // A retry (the job delivered twice) deletes nothing more and writes no second entry.
    await expect(deleteWithdrawnTemplates({ db: testDb.db, storage, job })).resolves.toEqual({
      deleted: 0,
      siteIds: [],
    });
    const [again] = await testDb.db.select().from(consents).where(eq(consents.id, person.consentId));
    expect(again?.withdrawalCertificateSha256).toBe(consent?.withdrawalCertificateSha256);
    expect(
      await testDb.db
        .select()
        .from(auditLog)
        .where(and(eq(auditLog.action, "consent.withdrawal.complete"), eq(auditLog.targetId, person.subjectId))),
    ).toHaveLength(1);
  });

  it("resumes after a crash between the files and the rows with the same counts", async () => {
    const person = await enrolledPerson();
    const job = await withdraw(person.consentId);
    // What a run that died after removing the files leaves: files gone, every row still there.
    for (const key of person.keys) await storage.remove(key);
    await deleteWithdrawnTemplates({ db: testDb.db, storage, job });
    const [consent] = await testDb.db.select().from(consents).where(eq(consents.id, person.consentId));
    expect(consent?.withdrawalCertificate).toMatchObject({
      items: { templates: 2, enrolmentPhotos: 2, photoFiles: 2, recognitionEvents: 5 },
    });
  });

  it("keeps the site's events while another active consent of the person covers the site", async () => {
    const person = await enrolledPerson();
    await giveConsent(
      deps(),
      consentFields.parse({ ...recognitionConsent(person.subjectId, siteId), purpose: "check_in" }),
    );
    const job = await withdraw(person.consentId);
    await deleteWithdrawnTemplates({ db: testDb.db, storage, job });
    const [consent] = await testDb.db.select().from(consents).where(eq(consents.id, person.consentId));
    expect(consent?.withdrawalCertificate).toMatchObject({
      items: { templates: 2, enrolmentPhotos: 2, recognitionEvents: 0 },
      recognitionEventsKept: true,
    });
    const events = await testDb.db
      .select()
      .from(recognitionEvents)
      .where(and(eq(recognitionEvents.subjectId, person.subjectId), eq(recognitionEvents.siteId, siteId)));
    expect(events).toHaveLength(5);
  });

  it("refuses a job naming another person's consent, deleting nothing", async () => {
    const person = await enrolledPerson();
    const other = await enrolledPerson();
    const job = await withdraw(person.consentId);
    await expect(
      deleteWithdrawnTemplates({ db: testDb.db, storage, job: { ...job, subjectId: other.subjectId } }),
    ).rejects.toThrow(/another person/);
    expect(
      await testDb.db
        .select()
        .from(faceTemplates)
        .where(inArray(faceTemplates.subjectId, [person.subjectId, other.subjectId])),
    ).toHaveLength(4);
  });
});
