import type { Principal } from "@consentry/auth";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal } from "../testing";

// What the person page is told of each enrolment: the job's recorded outcomes (its photos are
// deleted), or, for enrolments from before they were recorded, the photo rows. Role and tenant
// checks of enrolments.list are in access.test.ts.

const { enrolments, enrolmentPhotos } = schema;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let siteId: string;
let subjectId: string;
let operator: Principal;

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  const owner = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
  operator = await makePrincipal(testDb.db, { memberships: [[orgId, "operator"]] });
  const caller = callerFor(testDb.db, owner);
  siteId = (
    await caller.sites.create({
      orgId,
      name: "Jing'an Tower",
      address: "8 Nanjing West Road",
      regionCode: "310106",
      kind: "office",
      templateRetentionDays: 365,
    })
  ).id;
  subjectId = (
    await caller.subjects.create({ orgId, displayName: "王芳", contact: null, isMinor: false, birthYear: null })
  ).id;
});
afterAll(async () => {
  await testDb?.drop();
});

async function enrolment(values: Partial<typeof enrolments.$inferInsert>) {
  const [row] = await testDb.db
    .insert(enrolments)
    .values({ orgId, subjectId, siteId, status: "failed", finishedAt: new Date(), ...values })
    .returning({ id: enrolments.id });
  return row?.id as string;
}
const listed = async (id: string) =>
  (await callerFor(testDb.db, operator).enrolments.list({ orgId, subjectId })).find((row) => row.id === id);

describe("enrolments.list", () => {
  it("returns what became of each deleted photo and why the job stopped, apart from the reason's text", async () => {
    const id = await enrolment({
      failureReason: "The consent was withdrawn meanwhile; the photos were deleted and no template was made.",
      photoOutcomes: ["noFace", "pending"],
      stoppedBecause: "consentWithdrawn",
    });
    expect(await listed(id)).toMatchObject({
      status: "failed",
      photoOutcomes: ["noFace", "pending"],
      stoppedBecause: "consentWithdrawn",
      photos: [],
    });
  });

  it("an enrolment from before outcomes were recorded has none and shows its photo rows, in upload order", async () => {
    const id = await enrolment({ status: "done" });
    await testDb.db.insert(enrolmentPhotos).values([
      { enrolmentId: id, subjectId, position: 1, storageKey: "old/b", status: "rejected", rejectionReason: "noFace" },
      { enrolmentId: id, subjectId, position: 0, storageKey: "old/a", status: "accepted" },
    ]);
    const row = await listed(id);
    expect(row).toMatchObject({ photoOutcomes: [], stoppedBecause: null });
    expect(row?.photos.map((photo) => [photo.status, photo.rejectionReason])).toEqual([
      ["accepted", null],
      ["rejected", "noFace"],
    ]);
  });

  it("refuses to pass on an outcome the job never writes", async () => {
    const id = await enrolment({ photoOutcomes: ["accepted", "blurry"] });
    await expect(callerFor(testDb.db, operator).enrolments.list({ orgId, subjectId })).rejects.toMatchObject({
      code: "INTERNAL_SERVER_ERROR",
    });
    await testDb.db.delete(enrolments).where(eq(enrolments.id, id));
  });
});
