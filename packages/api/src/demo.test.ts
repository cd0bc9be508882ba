import { readFile } from "node:fs/promises";
import { ENROLMENT_PHOTO_CONTEXT } from "@consentry/core/enrolment";
import { decryptBytes } from "@consentry/crypto";
import { eq, schema } from "@consentry/db";
import { DEMO_RECOGNISED_PERSON, seedDemo } from "@consentry/db/seed";
import { createTestDatabase } from "@consentry/db/testing";
import { facePath } from "@consentry/fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enrolDemoPerson } from "./demo";
import { recordingJobs, temporaryStorage } from "./testing";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

const MODEL = "fr_feature_int8@test";

describe("enrolDemoPerson", () => {
  it("says what is missing on a database without the demo", async () => {
    const result = await enrolDemoPerson({
      db: testDb.db,
      jobs: recordingJobs(),
      storage: temporaryStorage(),
      photo: new Uint8Array(),
      modelId: MODEL,
    });
    expect(result).toEqual({ missing: expect.stringContaining(DEMO_RECOGNISED_PERSON.pseudonym) });
  });

  it("enrols the seeded person from the real photo through the enrolment procedure, once", async () => {
    await seedDemo(testDb.db);
    // The seed itself holds no face data: templates come from the enrolment job only.
    expect(await testDb.db.$count(schema.faceTemplates)).toBe(0);
    const jobs = recordingJobs();
    const storage = temporaryStorage();
    const photo = new Uint8Array(await readFile(facePath(DEMO_RECOGNISED_PERSON.photo)));
    const first = await enrolDemoPerson({ db: testDb.db, jobs, storage, photo, modelId: MODEL });
    expect(first).toMatchObject({ created: true });
    const enrolmentId = (first as { enrolmentId: string }).enrolmentId;
    expect(jobs.enrolments).toEqual([enrolmentId]);

    const [enrolment] = await testDb.db.select().from(schema.enrolments).where(eq(schema.enrolments.id, enrolmentId));
    const [subject] = await testDb.db
      .select()
      .from(schema.subjects)
      .where(eq(schema.subjects.id, enrolment?.subjectId as string));
    expect(subject?.pseudonym).toBe(DEMO_RECOGNISED_PERSON.pseudonym);
    // Stored re-encoded and encrypted, like any manager's upload, and audited.
    const [stored] = await testDb.db
      .select()
      .from(schema.enrolmentPhotos)
      .where(eq(schema.enrolmentPhotos.enrolmentId, enrolmentId));
    const sealed = (await storage.read(stored?.storageKey as string)).toString();
    expect(decryptBytes(sealed, ENROLMENT_PHOTO_CONTEXT).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    const audits = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.action, "enrolment.create"));
    expect(audits).toHaveLength(1);

    expect(await enrolDemoPerson({ db: testDb.db, jobs, storage, photo, modelId: MODEL })).toEqual({
      enrolmentId,
      created: false,
    });
    expect(jobs.enrolments).toHaveLength(1);

    // Done under an older model (its template's id is another): enrolled again, as a manager re-captures.
    await testDb.db.update(schema.enrolments).set({ status: "done" }).where(eq(schema.enrolments.id, enrolmentId));
    await testDb.db.insert(schema.faceTemplates).values({
      orgId: enrolment?.orgId as string,
      subjectId: enrolment?.subjectId as string,
      siteId: enrolment?.siteId as string,
      modelId: "fr_feature@older",
      modelVersion: "older",
      embeddingEnc: "sealed",
    });
    const again = await enrolDemoPerson({ db: testDb.db, jobs, storage, photo, modelId: MODEL });
    expect(again).toMatchObject({ created: true });
    expect(jobs.enrolments).toHaveLength(2);
    // With a template of the current model it is left alone.
    await testDb.db
      .update(schema.enrolments)
      .set({ status: "done" })
      .where(eq(schema.enrolments.id, (again as { enrolmentId: string }).enrolmentId));
    await testDb.db.update(schema.faceTemplates).set({ modelId: MODEL });
    expect(await enrolDemoPerson({ db: testDb.db, jobs, storage, photo, modelId: MODEL })).toMatchObject({
      created: false,
    });
  });
});
