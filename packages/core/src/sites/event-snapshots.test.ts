import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeOrganization, TEST_ACTOR, temporaryStorage, unique } from "../testing";
import { siteFields } from "../validators";
import { createSite } from "./create-site";
import { readEventSnapshot, storeEventSnapshot } from "./event-snapshots";
import { getSite } from "./get-site";
import { updateSite } from "./update-site";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
const storage = temporaryStorage();

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
  await rm(storage.root, { recursive: true, force: true });
});

describe("event snapshots", () => {
  it("are off for a new site; turning them on is audited and a material change, turning them off is not", async () => {
    const { id: orgId } = await makeOrganization(testDb.db);
    const deps = { db: testDb.db, actor: TEST_ACTOR, orgId, role: "manager" as const };
    const fields = siteFields.parse({
      name: unique("Snapshot Court"),
      address: "1 Century Avenue",
      regionCode: "310115",
      kind: "residential",
      templateRetentionDays: 365,
    });
    expect(fields.eventSnapshots).toBe(false);
    const { id: siteId } = await createSite(deps, fields);
    const site = () => getSite(deps, { siteId });
    const changedAt = async () =>
      (await testDb.db.select().from(schema.sites).where(eq(schema.sites.id, siteId)))[0]?.lastMaterialChangeAt;
    expect((await site()).eventSnapshots).toBe(false);
    expect(await changedAt()).toBeNull();

    await updateSite(deps, { ...fields, eventSnapshots: true, siteId });
    expect((await site()).eventSnapshots).toBe(true);
    const turnedOnAt = await changedAt();
    expect(turnedOnAt).toBeInstanceOf(Date);

    await updateSite(deps, { ...fields, eventSnapshots: false, siteId });
    expect((await site()).eventSnapshots).toBe(false);
    expect(await changedAt()).toEqual(turnedOnAt);

    const audit = await testDb.db
      .select({ details: schema.auditLog.details })
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "site.update"), eq(schema.auditLog.targetId, siteId)));
    expect(audit.map((row) => row.details)).toEqual([
      { changed: { eventSnapshots: true } },
      { changed: { eventSnapshots: false } },
    ]);
  });

  it("are stored encrypted and read back as they were", async () => {
    const jpeg = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from("a blurred snapshot")]);
    const key = await storeEventSnapshot(storage, jpeg);
    expect(key).toMatch(/^event-snapshot\/[0-9a-f]{2}\/[0-9a-f]{64}\.bin$/);
    const onDisk = await readFile(join(storage.root, key));
    expect(onDisk.includes(jpeg.subarray(0, 16))).toBe(false);
    expect((await readEventSnapshot(storage, key)).equals(jpeg)).toBe(true);
    // The same picture twice is two files: each sealing has its own key and nonce.
    expect(await storeEventSnapshot(storage, jpeg)).not.toBe(key);
  });
});
