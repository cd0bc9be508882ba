import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { startCameraSimulator } from "@consentry/camera-sim";
import { encryptString } from "@consentry/crypto";
import { eq, schema } from "@consentry/db";
import { createTestDatabase, openCameraNetworks } from "@consentry/db/testing";
import type { Job } from "bullmq";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyProbeError } from "../probe/ffprobe";
import { cameraProbeProcessor, statusFromProbe } from "./camera-probe";

// Real RTSP: the camera simulator (rtsp-streaming-server + ffmpeg) and ffprobe.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let sim: Awaited<ReturnType<typeof startCameraSimulator>>;
let orgId: string;
let siteId: string;
const logger = pino({ level: "silent" });

async function addCamera(name: string, url: string, inOrg = orgId) {
  const [camera] = await testDb.db
    .insert(schema.cameras)
    .values({
      orgId: inOrg,
      siteId,
      name,
      rtspUrlEnc: encryptString(url, "cameras.rtsp_url"),
      rtspUrlMasked: url,
      locationType: "entrance",
    })
    .returning();
  return camera as NonNullable<typeof camera>;
}

async function runProbe(cameraId: string) {
  const processor = cameraProbeProcessor({ db: testDb.db, logger, timeoutMs: 6000 });
  await processor({ data: { cameraId } } as Job);
  const [camera] = await testDb.db.select().from(schema.cameras).where(eq(schema.cameras.id, cameraId));
  return camera as NonNullable<typeof camera>;
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  sim = await startCameraSimulator({ count: 2, port: 0, log: () => {} });
  const [org] = await testDb.db
    .insert(schema.organizations)
    .values({ name: "Probe Org", slug: "probe-org" })
    .returning();
  orgId = org?.id as string;
  // Not about the network policy: this organisation may use the simulator on 127.0.0.1.
  await openCameraNetworks(testDb.db, orgId);
  const [site] = await testDb.db
    .insert(schema.sites)
    .values({ orgId, code: "S-PROBE1", name: "Probe Site", address: "1 Road", regionCode: "310101", kind: "office" })
    .returning();
  siteId = site?.id as string;
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  await testDb?.drop();
});

describe("camera health probe", { timeout: 40_000 }, () => {
  it("marks a live camera online with its stream facts, and offline once its publisher stops", async () => {
    const camera = await addCamera("Gate", sim.urlOf(1));
    const online = await runProbe(camera.id);
    expect(online).toMatchObject({ status: "online", probeCodec: "h264" });
    expect(online.probeWidth).toBeGreaterThan(0);
    expect(online.lastSeenAt).toBeInstanceOf(Date);

    await sim.stopCamera(1);
    const offline = await runProbe(camera.id);
    expect(offline.status).toBe("offline");
    expect(offline.lastSeenAt).toEqual(online.lastSeenAt);

    await sim.startCamera(1);
    expect((await runProbe(camera.id)).status).toBe("online");

    const history = await testDb.db
      .select()
      .from(schema.cameraStatusEvents)
      .where(eq(schema.cameraStatusEvents.cameraId, camera.id))
      .orderBy(schema.cameraStatusEvents.id);
    expect(history.map((event) => event.status)).toEqual(["online", "offline", "online"]);
    expect(JSON.stringify(history)).not.toContain("rtsp://");
  });

  it("calls a camera that never answered unreachable: wrong path, closed port", async () => {
    const wrongPath = await addCamera("Wrong path", `rtsp://127.0.0.1:${sim.port}/no-such-camera`);
    expect((await runProbe(wrongPath.id)).status).toBe("unreachable");
    const closedPort = await addCamera("Closed port", "rtsp://127.0.0.1:1/cam1");
    expect((await runProbe(closedPort.id)).status).toBe("unreachable");
  });

  it("skips disabled cameras", async () => {
    const camera = await addCamera("Disabled", sim.urlOf(2));
    await testDb.db.update(schema.cameras).set({ disabledAt: new Date() }).where(eq(schema.cameras.id, camera.id));
    expect((await runProbe(camera.id)).status).toBe("unknown");
  });
});

describe("network policy at connect time (SSRF, issue #13)", { timeout: 40_000 }, () => {
  // A plain TCP listener stands in for an internal service (Redis, PostgreSQL…): it counts
  // every connection, so "no connection attempted" is observed, not assumed.
  let server: Server;
  let connections = 0;
  let closedOrgId: string;
  let closedSiteId: string;
  beforeAll(async () => {
    server = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const [org] = await testDb.db
      .insert(schema.organizations)
      .values({ name: "Closed Org", slug: "closed-org" })
      .returning();
    closedOrgId = org?.id as string;
    // Only a private range: neither loopback nor anything a name may later resolve to.
    await testDb.db.insert(schema.cameraNetworks).values({ orgId: closedOrgId, cidr: "10.0.0.0/8" });
    const [site] = await testDb.db
      .insert(schema.sites)
      .values({
        orgId: closedOrgId,
        code: "S-PROBE2",
        name: "Closed Site",
        address: "1 Road",
        regionCode: "310101",
        kind: "office",
      })
      .returning();
    closedSiteId = site?.id as string;
  });
  afterAll(() => server?.close());
  const port = () => (server.address() as { port: number }).port;

  async function addClosedCamera(name: string, url: string) {
    const [camera] = await testDb.db
      .insert(schema.cameras)
      .values({
        orgId: closedOrgId,
        siteId: closedSiteId,
        name,
        rtspUrlEnc: encryptString(url, "cameras.rtsp_url"),
        rtspUrlMasked: url,
        locationType: "entrance",
      })
      .returning();
    return camera as NonNullable<typeof camera>;
  }

  it("never connects to an address outside the organisation's networks, whatever its spelling", async () => {
    for (const host of ["127.0.0.1", "0x7f000001", "2130706433", "127.1", "[::ffff:127.0.0.1]"]) {
      const camera = await addClosedCamera(`Internal ${host}`, `rtsp://${host}:${port()}/`);
      const probed = await runProbe(camera.id);
      expect(probed.status).toBe("unreachable");
      const [event] = await testDb.db
        .select()
        .from(schema.cameraStatusEvents)
        .where(eq(schema.cameraStatusEvents.cameraId, camera.id));
      expect(event?.detail).toMatch(/^blocked by network policy/);
    }
    expect(connections).toBe(0);
  });

  it("resolves a name at connect time and refuses what it resolves to now (DNS rebinding)", async () => {
    // Registered when the name may have pointed into 10.0.0.0/8; now it resolves to loopback.
    const camera = await addClosedCamera("Rebound", `rtsp://localhost:${port()}/cam`);
    expect((await runProbe(camera.id)).status).toBe("unreachable");
    expect(connections).toBe(0);
  });

  it("still connects where the policy allows (control: the listener does count)", async () => {
    const camera = await addCamera("Allowed listener", `rtsp://localhost:${port()}/cam`);
    await runProbe(camera.id);
    expect(connections).toBeGreaterThan(0);
  });
});

describe("probe classification", () => {
  it("reads ffprobe's complaints", () => {
    expect(classifyProbeError("method DESCRIBE failed: 401 Unauthorized").failure).toBe("auth_failed");
    expect(classifyProbeError("rtsp://127.0.0.1:14010/cam1: Connection refused").failure).toBe("refused");
    expect(classifyProbeError("method DESCRIBE failed: 404 Not Found").failure).toBe("not_found");
    expect(classifyProbeError("rtsp://127.0.0.1:1/cam1: Connection refused").failure).toBe("refused");
    expect(classifyProbeError("Connection timed out").failure).toBe("timeout");
  });

  it("turns a probe into a status", () => {
    const ok = { ok: true as const, latencyMs: 200, codec: "h264", width: 640, height: 480, fps: 25 };
    expect(statusFromProbe(ok, false)).toBe("online");
    expect(statusFromProbe({ ...ok, latencyMs: 7000 }, true)).toBe("degraded");
    expect(statusFromProbe({ ...ok, fps: 2 }, true)).toBe("degraded");
    const failed = { ok: false as const, latencyMs: 10, detail: "x" };
    expect(statusFromProbe({ ...failed, failure: "auth_failed" }, true)).toBe("auth_failed");
    expect(statusFromProbe({ ...failed, failure: "not_found" }, true)).toBe("offline");
    expect(statusFromProbe({ ...failed, failure: "refused" }, false)).toBe("unreachable");
  });
});
