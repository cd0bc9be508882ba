import type { Principal } from "@consentry/auth";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal, unique } from "../testing";

// SSRF (issue #13): a camera URL may only name an address inside the organisation's camera
// networks, never a reserved one. Every organisation here starts with NO networks and this
// database has NO installation exceptions until the last test, unlike makeOrganization's default.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgA: string;
let orgB: string;
let ownerA: Principal;
let managerA: Principal;
let ownerB: Principal;
let admin: Principal;
let siteA: { id: string; code: string };
let siteB: { id: string; code: string };

const site = { address: "1 Road", regionCode: "310101", kind: "office" as const, templateRetentionDays: 365 };
const camera = (orgId: string, siteId: string, rtspUrl: string) => ({
  orgId,
  name: unique("Cam"),
  siteId,
  entryPointId: null,
  locationType: "entrance" as const,
  frEnabled: false,
  analysisFps: 5,
  rtspUrl,
});
const as = (principal: Principal) => callerFor(testDb.db, principal);
const cameraCount = () => testDb.db.$count(schema.cameras);
const refusedAs = (reason: string) => ({
  code: "UNPROCESSABLE_CONTENT",
  cause: { field: "rtspUrl", reason },
});

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgA = (await makeOrganization(testDb.db, undefined, { openNetworks: false })).id;
  orgB = (await makeOrganization(testDb.db, undefined, { openNetworks: false })).id;
  ownerA = await makePrincipal(testDb.db, { memberships: [[orgA, "owner"]] });
  managerA = await makePrincipal(testDb.db, { memberships: [[orgA, "manager"]] });
  ownerB = await makePrincipal(testDb.db, { memberships: [[orgB, "owner"]] });
  admin = await makePrincipal(testDb.db, { platformAdmin: true });
  siteA = await as(ownerA).sites.create({ orgId: orgA, name: "Site A", ...site });
  siteB = await as(ownerB).sites.create({ orgId: orgB, name: "Site B", ...site });
});
afterAll(async () => {
  await testDb?.drop();
});

describe("camera networks", () => {
  it("refuses every camera of an organisation that lists no networks", async () => {
    const before = await cameraCount();
    await expect(as(managerA).cameras.create(camera(orgA, siteA.id, "rtsp://10.1.2.3/live"))).rejects.toMatchObject(
      refusedAs("rtspNotInNetworks"),
    );
    expect(await cameraCount()).toBe(before);
  });

  it("lets owners, and only owners, list a network, audited; then cameras inside it register", async () => {
    await expect(
      as(managerA).cameraNetworks.add({ orgId: orgA, cidr: "10.0.0.0/8", portFrom: null, portTo: null, note: null }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    const added = await as(ownerA).cameraNetworks.add({
      orgId: orgA,
      cidr: "10.20.3.4/16",
      portFrom: 554,
      portTo: 554,
      note: "Gate cameras",
    });
    expect(added.cidr).toBe("10.20.0.0/16");
    const [entry] = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, added.id));
    expect(entry).toMatchObject({ action: "camera_network.add", orgId: orgA });
    expect(await as(managerA).cameraNetworks.list({ orgId: orgA })).toMatchObject([
      { cidr: "10.20.0.0/16", portFrom: 554, portTo: 554, note: "Gate cameras", reserved: [] },
    ]);

    await as(managerA).cameras.create(camera(orgA, siteA.id, "rtsp://10.20.1.1/live"));
    await expect(
      as(managerA).cameras.create(camera(orgA, siteA.id, "rtsp://10.20.1.1:8554/live")),
    ).rejects.toMatchObject(refusedAs("rtspNotInNetworks"));
    await expect(as(managerA).cameras.create(camera(orgA, siteA.id, "rtsp://10.21.0.1/live"))).rejects.toMatchObject(
      refusedAs("rtspNotInNetworks"),
    );
    // Another organisation's list is not this one's.
    await expect(as(ownerB).cameras.create(camera(orgB, siteB.id, "rtsp://10.20.1.2/live"))).rejects.toMatchObject(
      refusedAs("rtspNotInNetworks"),
    );
  });

  it("refuses bad network input naming the field", async () => {
    const add = (input: { cidr: string; portFrom: number | null; portTo: number | null }) =>
      as(ownerA).cameraNetworks.add({ orgId: orgA, note: null, ...input });
    for (const [input, path, message] of [
      [{ cidr: "10.0.0.0/33", portFrom: null, portTo: null }, "cidr", "cidrInvalid"],
      [{ cidr: "camera.lan", portFrom: null, portTo: null }, "cidr", "cidrInvalid"],
      [{ cidr: "10.0.0.0/8", portFrom: 600, portTo: 554 }, "portTo", "portOrder"],
      [{ cidr: "10.0.0.0/8", portFrom: 0, portTo: 554 }, "portFrom", "portRange"],
      [{ cidr: "10.0.0.0/8", portFrom: 554, portTo: null }, "portTo", "portBoth"],
    ] as const) {
      await expect(add(input)).rejects.toMatchObject({
        code: "BAD_REQUEST",
        cause: { issues: [expect.objectContaining({ path: [path], message })] },
      });
    }
    await expect(add({ cidr: "10.20.0.0/16", portFrom: 554, portTo: 554 })).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { field: "cidr", reason: "networkDuplicate" },
    });
  });

  it("refuses reserved addresses in every spelling, even when the organisation lists them", async () => {
    for (const cidr of ["0.0.0.0/0", "::/0"]) {
      await as(ownerB).cameraNetworks.add({ orgId: orgB, cidr, portFrom: null, portTo: null, note: null });
    }
    const listed = await as(ownerB).cameraNetworks.list({ orgId: orgB });
    expect(listed.map((row) => row.reserved)).toEqual([
      ["unspecified", "loopback", "link-local, cloud metadata", "cloud metadata", "multicast", "reserved, broadcast"],
      [
        "unspecified",
        "loopback",
        "IPv4-compatible",
        "6to4 tunnel",
        "Teredo tunnel",
        "link-local",
        "cloud metadata",
        "multicast",
      ],
    ]);
    const before = await cameraCount();
    for (const url of [
      "rtsp://127.0.0.1:6379/",
      "rtsp://169.254.169.254/",
      "rtsp://[::1]:5432/",
      "rtsp://0x7f000001/",
      "rtsp://0177.0.0.1/",
      "rtsp://2130706433/",
      "rtsp://127.1/",
      "rtsp://[::ffff:7f00:1]/",
      "rtsp://[::ffff:169.254.169.254]/",
      "rtsp://0.0.0.0/",
      "rtsp://224.0.0.251/",
      "rtsp://[fe80::1]/",
      "rtsp://localhost:6379/",
    ]) {
      await expect(as(ownerB).cameras.create(camera(orgB, siteB.id, url)), url).rejects.toMatchObject(
        refusedAs("rtspReserved"),
      );
    }
    await expect(as(ownerB).cameras.create(camera(orgB, siteB.id, "rtsp://08.0.0.1/"))).rejects.toMatchObject(
      refusedAs("rtspHost"),
    );
    await expect(
      as(ownerB).cameras.create(camera(orgB, siteB.id, "rtsp://camera.consentry-test.invalid/")),
    ).rejects.toMatchObject(refusedAs("rtspUnresolvable"));
    expect(await cameraCount()).toBe(before);
  });

  it("refuses a changed URL on edit", async () => {
    const { id } = await as(ownerB).cameras.create(camera(orgB, siteB.id, "rtsp://192.0.2.10/edit"));
    await expect(
      as(ownerB).cameras.update({ ...camera(orgB, siteB.id, "rtsp://127.0.0.1:6379/"), cameraId: id }),
    ).rejects.toMatchObject(refusedAs("rtspReserved"));
  });

  it("refuses the same camera URL in two organisations, however it is spelt", async () => {
    await as(ownerA).cameras.create(camera(orgA, siteA.id, "rtsp://admin:one@10.20.5.5/live"));
    await expect(
      as(ownerB).cameras.create(camera(orgB, siteB.id, "rtsp://other:two@0x0a140505:554/live")),
    ).rejects.toMatchObject({ code: "CONFLICT", cause: { field: "rtspUrl", reason: "rtspTaken" } });
    await expect(as(ownerA).cameras.create(camera(orgA, siteA.id, "rtsp://10.20.5.5/live"))).rejects.toMatchObject({
      code: "CONFLICT",
      cause: { field: "rtspUrl", reason: "rtspTaken" },
    });
  });

  it("imports a CSV all or nothing: one row outside the policy refuses the file, naming the row", async () => {
    const header = "name,site_code,entry_point,location_type,fr_enabled,analysis_fps,rtsp_url";
    const csv = [
      header,
      `Good 1,${siteB.code},,lobby,no,2,rtsp://192.0.2.21/live`,
      `Metadata,${siteB.code},,lobby,no,2,rtsp://169.254.169.254/latest`,
      `Good 2,${siteB.code},,lobby,no,2,rtsp://192.0.2.22/live`,
      `Twice,${siteB.code},,lobby,no,2,rtsp://192.0.2.22:554/live`,
      `Taken,${siteB.code},,lobby,no,2,rtsp://10.20.5.5/live`,
    ].join("\n");
    const preview = await as(ownerB).cameras.importPreview({ orgId: orgB, csv });
    expect(preview).toMatchObject({ validCount: 2, errorCount: 3 });
    expect(preview.rows.map((row) => row.issues.map((issue) => issue.message))).toEqual([
      [],
      ["rtspReserved"],
      [],
      ["rtspDuplicateInFile"],
      ["rtspTaken"],
    ]);
    const before = await cameraCount();
    const auditBefore = await testDb.db.$count(schema.auditLog);
    await expect(as(ownerB).cameras.importCommit({ orgId: orgB, csv })).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(
        /line 3, rtsp_url: 169\.254\.169\.254:554 is a reserved address.*nothing was imported/,
      ),
    });
    expect(await cameraCount()).toBe(before);
    expect(await testDb.db.$count(schema.auditLog)).toBe(auditBefore);
  });

  it("lets a platform admin, and only one, make an audited installation exception for a reserved range", async () => {
    const exception = { cidr: "127.0.0.1", portFrom: 8554, portTo: 8554, reason: "Camera simulator" };
    await expect(as(ownerB).admin.addNetworkException(exception)).rejects.toMatchObject({ code: "FORBIDDEN" });
    const added = await as(admin).admin.addNetworkException(exception);
    expect(added.cidr).toBe("127.0.0.1/32");
    const [entry] = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, added.id));
    expect(entry).toMatchObject({ action: "network_exception.add" });
    expect(await as(admin).admin.networkExceptions()).toMatchObject([
      { cidr: "127.0.0.1/32", reason: "Camera simulator" },
    ]);

    // Organisation B lists everything, so the exception is all that stood in the way, on that port only.
    await as(ownerB).cameras.create(camera(orgB, siteB.id, "rtsp://127.0.0.1:8554/sim"));
    await expect(as(ownerB).cameras.create(camera(orgB, siteB.id, "rtsp://127.0.0.1:6379/"))).rejects.toMatchObject(
      refusedAs("rtspReserved"),
    );
    // Organisation A does not list loopback: the exception alone lets nothing in.
    await expect(as(ownerA).cameras.create(camera(orgA, siteA.id, "rtsp://127.0.0.1:8554/sim2"))).rejects.toMatchObject(
      refusedAs("rtspNotInNetworks"),
    );

    await as(admin).admin.removeNetworkException({ exceptionId: added.id });
    await expect(as(ownerB).cameras.create(camera(orgB, siteB.id, "rtsp://127.0.0.1:8554/sim3"))).rejects.toMatchObject(
      refusedAs("rtspReserved"),
    );
  });

  it("removes a network, audited, and another organisation's network answers not found", async () => {
    const [network] = await as(ownerA).cameraNetworks.list({ orgId: orgA });
    await expect(
      as(ownerB).cameraNetworks.remove({ orgId: orgB, networkId: network?.id as string }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await as(ownerA).cameraNetworks.remove({ orgId: orgA, networkId: network?.id as string });
    expect(await as(ownerA).cameraNetworks.list({ orgId: orgA })).toEqual([]);
    await expect(as(managerA).cameras.create(camera(orgA, siteA.id, "rtsp://10.20.1.9/live"))).rejects.toMatchObject(
      refusedAs("rtspNotInNetworks"),
    );
  });
});
