import { decryptString } from "@consentry/crypto";
import { env } from "@consentry/env";
import { and, eq, isNotNull, isNull } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyAuditChain } from "./audit";
import * as s from "./schema";
import { DEMO_CAMERA_COUNT, seedDemo } from "./seed";
import { createTestDatabase } from "./testing";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe("demo seed", () => {
  it("builds the world the issue asks for, once", async () => {
    expect(await seedDemo(testDb.db)).toEqual({ created: true });
    expect(await seedDemo(testDb.db)).toEqual({ created: false });
    const { db } = testDb;
    expect(await db.$count(s.organizations)).toBeGreaterThanOrEqual(2);
    const sites = await db.select().from(s.sites);
    expect(sites.length).toBeGreaterThanOrEqual(5);
    expect(new Set(sites.map((site) => site.kind)).size).toBeGreaterThanOrEqual(4);
    expect(await db.$count(s.cameras)).toBe(DEMO_CAMERA_COUNT);
    expect(DEMO_CAMERA_COUNT).toBeGreaterThanOrEqual(30);
    const entries = await db.select().from(s.entryPoints);
    expect(entries.some((e) => e.alternatives.length > 0)).toBe(true);
    expect(entries.some((e) => e.faceRecognition && e.alternatives.length === 0)).toBe(true);
    expect(await db.$count(s.signs)).toBeGreaterThan(0);
    // Loopback only for the simulator's port: the installation allows it, each organisation lists it.
    const port = env.CAMERA_SIM_PORT;
    expect(
      await db
        .select({
          cidr: s.installationNetworkExceptions.cidr,
          from: s.installationNetworkExceptions.portFrom,
          to: s.installationNetworkExceptions.portTo,
        })
        .from(s.installationNetworkExceptions),
    ).toEqual([{ cidr: "127.0.0.1/32", from: port, to: port }]);
    const networks = await db.select().from(s.cameraNetworks);
    expect(networks).toHaveLength(await db.$count(s.organizations));
    expect(networks.every((n) => n.cidr === "127.0.0.1/32" && n.portFrom === port && n.portTo === port)).toBe(true);
    expect(await db.$count(s.regulators)).toBe(1);
    expect(await db.$count(s.dsrRequests)).toBeGreaterThan(0);
    expect(await db.$count(s.consents, isNotNull(s.consents.withdrawnAt))).toBeGreaterThan(0);
    const minors = await db
      .select()
      .from(s.consents)
      .innerJoin(s.subjects, eq(s.subjects.id, s.consents.subjectId))
      .where(and(eq(s.subjects.isMinor, true), isNull(s.consents.withdrawnAt)));
    expect(minors.length).toBeGreaterThan(0);
    expect(minors.every((row) => row.consents.guardianConsentAt !== null)).toBe(true);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it("stores names, contacts and RTSP URLs only encrypted", async () => {
    const [subject] = await testDb.db.select().from(s.subjects).limit(1);
    expect(subject?.displayNameEnc).toMatch(/^v1\./);
    expect(decryptString(subject?.displayNameEnc as string, "subjects.display_name")).toBe("张伟");
    const [camera] = await testDb.db.select().from(s.cameras).limit(1);
    expect(camera?.rtspUrlEnc).not.toContain("rtsp://");
  });
});
