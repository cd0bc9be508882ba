import { once } from "node:events";
import { createServer, type Server } from "node:net";
import { encryptString } from "@consentry/crypto";
import { schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import type { FileStore } from "@consentry/storage";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GalleryCache } from "../gallery";
import { analyzeCamera, BlockedCameraError, type StreamSettings } from "./analyze-camera";
import type { EventWriter } from "./events";

// SSRF (issue #13): the inference worker re-checks a camera's address right before ffmpeg
// connects. A counting TCP listener stands in for an internal service.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let server: Server;
let connections = 0;
let orgId: string;
let siteId: string;
const settings: StreamSettings = {
  frameWidth: 320,
  frameHeight: 240,
  matchThreshold: 0.5,
  recheckMs: 1000,
  settingsPollMs: 60_000,
  stallTimeoutMs: 2000,
  trackGapMs: 60_000,
};

beforeAll(async () => {
  testDb = await createTestDatabase();
  server = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const [org] = await testDb.db.insert(schema.organizations).values({ name: "Closed", slug: "closed" }).returning();
  orgId = org?.id as string;
  await testDb.db.insert(schema.cameraNetworks).values({ orgId, cidr: "10.0.0.0/8" });
  const [site] = await testDb.db
    .insert(schema.sites)
    .values({ orgId, code: "S-INFER1", name: "Site", address: "1 Road", regionCode: "310101", kind: "office" })
    .returning();
  siteId = site?.id as string;
});
afterAll(async () => {
  server?.close();
  await testDb?.drop();
});

async function frCamera(url: string) {
  const [camera] = await testDb.db
    .insert(schema.cameras)
    .values({
      orgId,
      siteId,
      name: url,
      rtspUrlEnc: encryptString(url, "cameras.rtsp_url"),
      rtspUrlMasked: url,
      locationType: "entrance",
      frEnabled: true,
    })
    .returning();
  return camera?.id as string;
}

const analyse = (cameraId: string) =>
  analyzeCamera({
    db: testDb.db,
    // Never reached for a refused camera; if the check were missing, ffmpeg's connection to the
    // listener is what the test observes, before any frame would need these.
    analyzer: {} as never,
    galleries: {} as GalleryCache,
    events: {} as EventWriter,
    storage: {} as FileStore,
    settings,
    active: new Map(),
    cameraId,
    shutdown: new AbortController().signal,
  });

describe("inference at connect time", { timeout: 30_000 }, () => {
  it("refuses to analyse a camera outside its organisation's networks, without connecting", async () => {
    const port = (server.address() as { port: number }).port;
    for (const url of [
      `rtsp://127.0.0.1:${port}/cam`,
      `rtsp://0x7f000001:${port}/cam`,
      `rtsp://localhost:${port}/cam`,
    ]) {
      await expect(analyse(await frCamera(url))).rejects.toBeInstanceOf(BlockedCameraError);
    }
    expect(connections).toBe(0);
  });
});
