import { encryptString, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { eq, schema, verifyAuditChain } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backfillCameraFingerprints } from "./backfill";
import { cameraUrlFingerprint } from "./fingerprint";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  testDb = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await testDb?.drop();
});

/** A camera as it was before migration 0007: no fingerprint. */
async function legacyCamera(orgId: string, siteId: string, url: string, createdAt: Date) {
  const [camera] = await testDb.db
    .insert(schema.cameras)
    .values({
      orgId,
      siteId,
      name: url,
      rtspUrlEnc: encryptString(url, RTSP_URL_CONTEXT),
      rtspUrlMasked: url,
      locationType: "lobby",
      createdAt,
    })
    .returning({ id: schema.cameras.id });
  return camera?.id as string;
}

describe("camera fingerprint backfill", () => {
  it("fingerprints cameras from before migration 0007, oldest first, and reports a stream two organisations share", async () => {
    const { db } = testDb;
    const orgs = await db
      .insert(schema.organizations)
      .values([
        { name: "Early", slug: "early" },
        { name: "Late", slug: "late" },
      ])
      .returning();
    const sites = await db
      .insert(schema.sites)
      .values(
        orgs.map((org, i) => ({
          orgId: org.id,
          code: `S-BACK0${i}`,
          name: `Site ${i}`,
          address: "1 Road",
          regionCode: "310101",
          kind: "office" as const,
        })),
      )
      .returning();
    const [early, late] = orgs.map((org, i) => ({ orgId: org.id, siteId: sites[i]?.id as string }));
    if (!early || !late) throw new Error("fixture");
    // The same stream written two ways (credentials and numeric form differ), a year apart.
    const first = await legacyCamera(early.orgId, early.siteId, "rtsp://a:b@10.1.2.3/gate", new Date("2025-01-01"));
    const shared = await legacyCamera(late.orgId, late.siteId, "rtsp://0x0a010203:554/gate", new Date("2026-01-01"));
    const own = await legacyCamera(late.orgId, late.siteId, "rtsp://10.1.2.4/gate", new Date("2026-02-01"));

    const result = await backfillCameraFingerprints(db, 2);
    expect(result.fingerprinted).toBe(2);
    expect(result.duplicates).toEqual([{ cameraId: shared, orgId: late.orgId, masked: "rtsp://0x0a010203:554/gate" }]);
    const fingerprintOf = async (id: string) =>
      (await db.select().from(schema.cameras).where(eq(schema.cameras.id, id)))[0]?.rtspUrlFingerprint;
    expect(await fingerprintOf(first)).toBe(cameraUrlFingerprint("rtsp://10.1.2.3/gate"));
    expect(await fingerprintOf(shared)).toBeNull();
    expect(await fingerprintOf(own)).toBe(cameraUrlFingerprint("rtsp://10.1.2.4/gate"));
    const [entry] = await db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.action, "camera.fingerprint_backfill"));
    expect(entry?.details).toEqual({ fingerprinted: 2, duplicates: [shared] });
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // Idempotent: nothing new to do, the duplicate is reported again and nothing else changes.
    expect(await backfillCameraFingerprints(db)).toEqual({ fingerprinted: 0, duplicates: result.duplicates });
  });
});
