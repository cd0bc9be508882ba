import { execFile, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { type CameraSimulator, startCameraSimulator } from "@consentry/camera-sim";
import { deleteCamera, liveViewToken, setCameraEnabled } from "@consentry/core/cameras";
import { TEST_ACTOR } from "@consentry/core/testing";
import { encryptString, signToken } from "@consentry/crypto";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { createJobProducer, type JobProducer, publishInvalidation } from "@consentry/queue";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { type Gateway, type GatewayOptions, REVOKED, startGateway } from "./gateway";
import { maskRtspUrl } from "./mask";
import { ticketKey } from "./tickets";

// Everything is real: the camera simulator (ffmpeg publishers, RTSP server), PostgreSQL, Redis,
// the gateway's ffmpeg relays and WebSocket clients.

const SECRET = "gateway-test-secret-0123456789-abcdefghij";
const IDLE_STOP_MS = 500;
const PASSWORD = "hunter2-not-in-logs";

const logLines: string[] = [];
const logger = pino({ level: "debug" }, { write: (line: string) => void logLines.push(line) });

let sim: CameraSimulator;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let gateway: Gateway;
let redis: Redis;
let jobs: JobProducer;
/** This file's own Redis key prefix and invalidation channel. */
const PREFIX = `gw-test-${randomBytes(4).toString("hex")}`;
const ids = {
  orgA: "",
  orgB: "",
  /** an organisation without camera networks: no address is allowed */
  orgC: "",
  siteA: "",
  /** operator in org A (the tickets' user) */
  viewer: "",
  /** org A, sim cam1, whose org does not allow 127.0.0.1 */
  unlisted: "",
  /** org A, sim cam1 */
  cam1: "",
  /** org A, sim cam2 behind a URL with credentials */
  withPassword: "",
  /** org A, a path the simulator does not serve, with credentials */
  broken: "",
  /** org A, disabled */
  disabled: "",
  /** org B, sim cam2 */
  otherOrg: "",
};

async function insertCamera(
  db: typeof testDb.db,
  values: { orgId: string; siteId: string; name: string; url: string; disabled?: boolean },
) {
  const [row] = await db
    .insert(schema.cameras)
    .values({
      orgId: values.orgId,
      siteId: values.siteId,
      name: values.name,
      rtspUrlEnc: encryptString(values.url, "cameras.rtsp_url"),
      rtspUrlMasked: maskRtspUrl(values.url),
      locationType: "entrance",
      disabledAt: values.disabled ? new Date() : null,
    })
    .returning({ id: schema.cameras.id });
  return (row as { id: string }).id;
}

/** A user with the given role in the organisation; returns the user id. */
async function insertMember(db: typeof testDb.db, orgId: string, role: "operator" | "auditor" = "operator") {
  const id = randomUUID();
  await db.insert(schema.users).values({ id, name: "Viewer", email: `viewer-${id}@gateway.test` });
  await db.insert(schema.memberships).values({ orgId, userId: id, role });
  return id;
}

async function seed(db: typeof testDb.db) {
  const suffix = randomBytes(4).toString("hex");
  const [orgA, orgB, orgC] = await db
    .insert(schema.organizations)
    .values([
      { name: "Gateway Org A", slug: `gw-a-${suffix}` },
      { name: "Gateway Org B", slug: `gw-b-${suffix}` },
      { name: "Gateway Org C", slug: `gw-c-${suffix}` },
    ])
    .returning({ id: schema.organizations.id });
  ids.orgA = (orgA as { id: string }).id;
  ids.orgB = (orgB as { id: string }).id;
  ids.orgC = (orgC as { id: string }).id;
  // The simulator runs on loopback: the installation allows it, and orgs A and B list it; C does not.
  await db
    .insert(schema.installationNetworkExceptions)
    .values({ cidr: "127.0.0.0/8", reason: "camera simulator" })
    .onConflictDoNothing();
  await db.insert(schema.cameraNetworks).values([
    { orgId: ids.orgA, cidr: "127.0.0.0/8" },
    { orgId: ids.orgB, cidr: "127.0.0.0/8" },
  ]);
  ids.viewer = await insertMember(db, ids.orgA);
  const site = (orgId: string, code: string) => ({
    orgId,
    code: `${code}-${suffix}`,
    name: `Site ${code}`,
    address: "1 Test Road",
    regionCode: "310104",
    kind: "office" as const,
  });
  const [siteA, siteB, siteC] = await db
    .insert(schema.sites)
    .values([site(ids.orgA, "GA"), site(ids.orgB, "GB"), site(ids.orgC, "GC")])
    .returning({ id: schema.sites.id });
  const siteAId = (siteA as { id: string }).id;
  const siteBId = (siteB as { id: string }).id;
  ids.siteA = siteAId;
  const withCredentials = (path: string) => `rtsp://admin:${PASSWORD}@127.0.0.1:${sim.port}${path}`;
  ids.cam1 = await insertCamera(db, { orgId: ids.orgA, siteId: siteAId, name: "Lobby", url: sim.urlOf(1) });
  ids.withPassword = await insertCamera(db, {
    orgId: ids.orgA,
    siteId: siteAId,
    name: "Gate",
    url: withCredentials("/cam2"),
  });
  ids.broken = await insertCamera(db, {
    orgId: ids.orgA,
    siteId: siteAId,
    name: "Gone",
    url: withCredentials("/nope"),
  });
  ids.disabled = await insertCamera(db, {
    orgId: ids.orgA,
    siteId: siteAId,
    name: "Off",
    url: sim.urlOf(1),
    disabled: true,
  });
  ids.otherOrg = await insertCamera(db, { orgId: ids.orgB, siteId: siteBId, name: "Theirs", url: sim.urlOf(2) });
  ids.unlisted = await insertCamera(db, {
    orgId: ids.orgC,
    siteId: (siteC as { id: string }).id,
    name: "Unlisted",
    url: sim.urlOf(1),
  });
}

const tokenFor = (
  cameraId: string,
  orgId = ids.orgA,
  ttlSeconds = 60,
  secret = SECRET,
  claims: Record<string, unknown> = {},
) => signToken({ cameraId, orgId, userId: ids.viewer, jti: randomUUID(), ...claims }, secret, ttlSeconds);

type Viewer = {
  ws: WebSocket;
  messages: Buffer[];
  bytes(): number;
  waitForBytes(moreThan: number, timeoutMs: number): Promise<number>;
  closed: Promise<{ code: number; reason: string }>;
};

function openViewer(path: string, port = gateway.port): Promise<Viewer | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    const messages: Buffer[] = [];
    const listeners = new Set<() => void>();
    ws.on("message", (data: Buffer) => {
      messages.push(data);
      for (const listener of listeners) listener();
    });
    const bytes = () => messages.reduce((sum, message) => sum + message.length, 0);
    const closed = new Promise<{ code: number; reason: string }>((resolveClose) =>
      ws.on("close", (code, reason) => resolveClose({ code, reason: reason.toString() })),
    );
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on("error", (error) => {
      if (ws.readyState !== WebSocket.OPEN) reject(error);
    });
    ws.on("open", () =>
      resolve({
        ws,
        messages,
        bytes,
        closed,
        waitForBytes: (moreThan, timeoutMs) =>
          new Promise((resolveBytes, rejectBytes) => {
            const check = () => {
              if (bytes() > moreThan) {
                clearTimeout(timer);
                listeners.delete(check);
                resolveBytes(bytes());
              }
            };
            const timer = setTimeout(() => {
              listeners.delete(check);
              rejectBytes(new Error(`no more than ${moreThan} bytes within ${timeoutMs} ms (got ${bytes()})`));
            }, timeoutMs);
            listeners.add(check);
            check();
          }),
      }),
    );
  });
}

async function viewer(path: string, port?: number): Promise<Viewer> {
  const result = await openViewer(path, port);
  if (!("ws" in result)) throw new Error(`expected a stream, got HTTP ${result.status}: ${result.body}`);
  return result;
}

async function refusalWithBody(path: string, port?: number): Promise<{ status: number; body: string }> {
  const result = await openViewer(path, port);
  if ("ws" in result) {
    result.ws.close();
    throw new Error(`expected a refusal for ${path}, but it streamed`);
  }
  return result;
}

async function refusal(path: string, port?: number): Promise<number> {
  return (await refusalWithBody(path, port)).status;
}

/** Resolves with the close the gateway sent, or fails after timeoutMs. */
function closedWithin(watcher: Viewer, timeoutMs: number) {
  return Promise.race([
    watcher.closed,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`the viewer was still open after ${timeoutMs} ms`)), timeoutMs),
    ),
  ]);
}

const liveUrl = (cameraId: string, token = tokenFor(cameraId)) =>
  `/live/${cameraId}?token=${encodeURIComponent(token)}`;

/** A further gateway on the same database, with its own options (closed by the caller). */
const startExtraGateway = (options: Partial<GatewayOptions> = {}) =>
  startGateway({
    db: testDb.db,
    port: 0,
    secret: SECRET,
    idleStopMs: IDLE_STOP_MS,
    redis: { url: env.REDIS_URL, prefix: PREFIX },
    logger,
    ...options,
  });

/** ffmpeg relay processes (MPEG-1 encoders) reading the given RTSP URL. */
async function relayProcesses(rtspUrl: string): Promise<number[]> {
  const { stdout } = await promisify(execFile)("ps", ["-eo", "pid=,args="]);
  return stdout
    .split("\n")
    .filter((line) => line.includes("ffmpeg") && line.includes("mpeg1video") && line.includes(rtspUrl))
    .map((line) => Number.parseInt(line.trim(), 10));
}

/** What ffprobe makes of the bytes a viewer received. */
function probeMpegTs(data: Buffer): Promise<{ codec_name?: string; width?: number; height?: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ffprobe", ["-v", "error", "-f", "mpegts", "-show_streams", "-of", "json", "pipe:0"]);
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.on("error", reject);
    child.on("close", () => {
      const streams = (JSON.parse(stdout || "{}") as { streams?: { codec_name?: string }[] }).streams ?? [];
      resolve(streams[0] ?? {});
    });
    child.stdin.on("error", () => {}); // ffprobe may stop reading early
    child.stdin.end(data);
  });
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectMpegTs(messages: Buffer[]) {
  expect(messages.length).toBeGreaterThan(0);
  for (const message of messages) {
    expect(message[0]).toBe(0x47);
    expect(message.length % 188).toBe(0);
  }
}

beforeAll(async () => {
  [sim, testDb] = await Promise.all([startCameraSimulator({ count: 2, port: 0 }), createTestDatabase()]);
  await seed(testDb.db);
  redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  jobs = createJobProducer(env.REDIS_URL, PREFIX);
  // Re-authorisation far away: the tests of invalidations must not pass thanks to it.
  gateway = await startGateway({
    db: testDb.db,
    port: 0,
    secret: SECRET,
    idleStopMs: IDLE_STOP_MS,
    redis: { url: env.REDIS_URL, prefix: PREFIX },
    reauthorizeMs: 3_600_000,
    logger,
  });
}, 60_000);

afterAll(async () => {
  const steps = [
    () => gateway?.close(),
    () => jobs?.close(),
    () => redis?.quit(),
    () => sim?.stop(),
    () => testDb?.drop(),
  ];
  const errors: unknown[] = [];
  for (const step of steps) await Promise.resolve(step()).catch((error: unknown) => errors.push(error));
  if (errors.length) throw errors[0];
}, 30_000);

describe("live-view gateway", { timeout: 30_000 }, () => {
  it("answers /health", async () => {
    const res = await fetch(`http://127.0.0.1:${gateway.port}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", relays: 0, viewers: 0 });
    expect((await fetch(`http://127.0.0.1:${gateway.port}/nope`)).status).toBe(404);
  });

  it("refuses the upgrade without a valid token for this camera of this organisation", async () => {
    const live = (cameraId: string, token?: string) =>
      `/live/${cameraId}${token === undefined ? "" : `?token=${encodeURIComponent(token)}`}`;
    expect(await refusal(live(ids.cam1))).toBe(401);
    expect(await refusal(live(ids.cam1, ""))).toBe(401);
    expect(await refusal(live(ids.cam1, "not-a-token"))).toBe(401);
    expect(await refusal(live(ids.cam1, tokenFor(ids.cam1, ids.orgA, -5)))).toBe(401);
    expect(await refusal(live(ids.cam1, tokenFor(ids.cam1, ids.orgA, 60, `${SECRET}-other`)))).toBe(401);
    expect(await refusal(live(ids.cam1, tokenFor(ids.otherOrg)))).toBe(403);
    expect(await refusal(live(ids.otherOrg, tokenFor(ids.otherOrg, ids.orgA)))).toBe(404);
    expect(await refusal(live(ids.disabled, tokenFor(ids.disabled)))).toBe(404);
    // Without an id the ticket could not be spent, so it could be replayed: refused.
    expect(await refusal(live(ids.cam1, tokenFor(ids.cam1, ids.orgA, 60, SECRET, { jti: undefined })))).toBe(401);
    // A ticket for someone who is not (or no longer) an operator of the organisation.
    const auditor = await insertMember(testDb.db, ids.orgA, "auditor");
    expect(await refusal(live(ids.cam1, tokenFor(ids.cam1, ids.orgA, 60, SECRET, { userId: auditor })))).toBe(403);
    expect(await refusal(live(ids.cam1, tokenFor(ids.cam1, ids.orgA, 60, SECRET, { userId: "nobody" })))).toBe(403);
    expect(await refusal(live("not-a-uuid", tokenFor("not-a-uuid")))).toBe(404);
    expect(await refusal(`/elsewhere?token=${tokenFor(ids.cam1)}`)).toBe(404);

    expect(gateway.stats()).toEqual({ relays: 0, viewers: 0, perCamera: {} });
    expect(await relayProcesses(sim.urlOf(1))).toEqual([]);
    expect(await relayProcesses(sim.urlOf(2))).toEqual([]);
    expect(logLines.join("\n")).not.toContain(tokenFor(ids.cam1).split(".")[1]);
  });

  it("streams MPEG-TS to viewers, sharing one ffmpeg per camera, and stops it when they leave", async () => {
    const started = Date.now();
    // Tickets are single use: every viewer has its own.
    const first = await viewer(liveUrl(ids.cam1));
    await first.waitForBytes(0, 10_000);
    const timeToFirstBytes = Date.now() - started;
    expect(timeToFirstBytes).toBeLessThan(10_000);
    expectMpegTs(first.messages);

    const second = await viewer(liveUrl(ids.cam1));
    await second.waitForBytes(188 * 10, 10_000);
    expectMpegTs(second.messages);
    expect(gateway.stats()).toEqual({
      relays: 1,
      viewers: 2,
      perCamera: { [ids.cam1]: { viewers: 2, restarts: 0, running: true } },
    });
    expect(await relayProcesses(sim.urlOf(1))).toHaveLength(1);
    await first.waitForBytes(150_000, 10_000);
    expect(await probeMpegTs(Buffer.concat(first.messages))).toMatchObject({
      codec_name: "mpeg1video",
      width: 640,
      height: 360,
    });
    const health = await (await fetch(`http://127.0.0.1:${gateway.port}/health`)).json();
    expect(health).toEqual({ status: "ok", relays: 1, viewers: 2 });

    first.ws.close();
    await first.closed;
    await eventually(() => gateway.stats().viewers === 1, 2_000, "one viewer left");
    expect(gateway.stats().perCamera[ids.cam1]?.running).toBe(true);
    second.ws.close();
    await second.closed;
    await eventually(() => gateway.stats().relays === 0, IDLE_STOP_MS + 3_000, "the idle relay to stop");
    await eventually(async () => (await relayProcesses(sim.urlOf(1))).length === 0, 3_000, "ffmpeg to exit");
    console.info(`first MPEG-TS bytes after ${timeToFirstBytes} ms`);
  });

  it("never logs the camera password, not even from ffmpeg's error output", async () => {
    const good = await viewer(`/live/${ids.withPassword}?token=${tokenFor(ids.withPassword)}`);
    await good.waitForBytes(0, 10_000);
    expectMpegTs(good.messages);
    const broken = await viewer(`/live/${ids.broken}?token=${tokenFor(ids.broken)}`);
    await eventually(() => (gateway.stats().perCamera[ids.broken]?.restarts ?? 0) >= 1, 10_000, "a restart");
    good.ws.close();
    broken.ws.close();
    await eventually(() => gateway.stats().relays === 0, IDLE_STOP_MS + 3_000, "relays to stop");

    const logs = logLines.join("\n");
    expect(logs).toContain("404 Not Found");
    expect(logs).toContain("admin:***@");
    expect(logs).not.toContain(PASSWORD);
  });

  it("restarts the relay when the camera drops and streams again to the same socket when it is back", async () => {
    const watcher = await viewer(`/live/${ids.cam1}?token=${tokenFor(ids.cam1)}`);
    await watcher.waitForBytes(0, 10_000);

    await sim.stopCamera(1);
    const dropped = Date.now();
    await eventually(
      () => (gateway.stats().perCamera[ids.cam1]?.restarts ?? 0) >= 1,
      20_000,
      "the relay to restart ffmpeg",
    );
    const detectedAfter = Date.now() - dropped;

    await sim.startCamera(1);
    const before = watcher.bytes();
    const back = Date.now();
    await watcher.waitForBytes(before, 25_000);
    const resumedAfter = Date.now() - back;
    expect(watcher.ws.readyState).toBe(WebSocket.OPEN);
    expectMpegTs(watcher.messages);
    expect(gateway.stats().perCamera[ids.cam1]).toMatchObject({ viewers: 1, running: true });
    expect(await relayProcesses(sim.urlOf(1))).toHaveLength(1);
    console.info(`drop detected (restart) after ${detectedAfter} ms; video back ${resumedAfter} ms after the camera`);

    watcher.ws.close();
    await eventually(() => gateway.stats().relays === 0, IDLE_STOP_MS + 3_000, "the idle relay to stop");
  }, 60_000);

  it("spends a ticket on first use: the same ticket is refused afterwards, and its id expires with it", async () => {
    const token = tokenFor(ids.cam1);
    const first = await viewer(liveUrl(ids.cam1, token));
    await first.waitForBytes(0, 10_000);
    const replay = await refusalWithBody(liveUrl(ids.cam1, token));
    expect(replay.status).toBe(401);
    expect(JSON.parse(replay.body)).toEqual({ error: "ticket already used" });
    expect(first.ws.readyState).toBe(WebSocket.OPEN);

    const payload = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as {
      jti: string;
      exp: number;
    };
    expect(await redis.pexpiretime(ticketKey(PREFIX, payload.jti))).toBe(payload.exp * 1000);
    first.ws.close();
    await eventually(() => gateway.stats().relays === 0, IDLE_STOP_MS + 3_000, "the idle relay to stop");
    await eventually(async () => (await relayProcesses(sim.urlOf(1))).length === 0, 3_000, "ffmpeg to exit");
  });

  it("refuses a camera whose address its organisation does not allow, without connecting to it", async () => {
    const { status, body } = await refusalWithBody(
      liveUrl(
        ids.unlisted,
        tokenFor(ids.unlisted, ids.orgC, 60, SECRET, {
          userId: await insertMember(testDb.db, ids.orgC),
        }),
      ),
    );
    expect(status).toBe(403);
    expect(JSON.parse(body).error).toContain("is not in your organisation's camera networks");
    expect(gateway.stats()).toEqual({ relays: 0, viewers: 0, perCamera: {} });
    expect(await relayProcesses(sim.urlOf(1))).toEqual([]);
  });

  it("closes open viewers within seconds when the camera is disabled, and stops its ffmpeg", async () => {
    const cameraId = await insertCamera(testDb.db, {
      orgId: ids.orgA,
      siteId: ids.siteA,
      name: "Soon off",
      url: sim.urlOf(2),
    });
    const watcher = await viewer(liveUrl(cameraId));
    await watcher.waitForBytes(0, 10_000);
    // The real use case: it commits, then publishes {type:"camera"} on the invalidation channel.
    await setCameraEnabled({ db: testDb.db, actor: TEST_ACTOR, orgId: ids.orgA, jobs }, { cameraId, enabled: false });
    expect(await closedWithin(watcher, 5_000)).toEqual(REVOKED.cameraDisabled);
    await eventually(() => gateway.stats().relays === 0, 3_000, "the relay to stop");
    await eventually(async () => (await relayProcesses(sim.urlOf(2))).length === 0, 5_000, "ffmpeg to exit");
    expect(await refusal(liveUrl(cameraId))).toBe(404);
  });

  it("closes open viewers within seconds when the camera is deleted", async () => {
    const cameraId = await insertCamera(testDb.db, {
      orgId: ids.orgA,
      siteId: ids.siteA,
      name: "Soon gone",
      url: sim.urlOf(2),
    });
    const watcher = await viewer(liveUrl(cameraId));
    await watcher.waitForBytes(0, 10_000);
    await deleteCamera({ db: testDb.db, actor: TEST_ACTOR, orgId: ids.orgA, jobs }, { cameraId });
    expect(await closedWithin(watcher, 5_000)).toEqual(REVOKED.cameraDeleted);
    await eventually(() => gateway.stats().relays === 0, 3_000, "the relay to stop");
  });

  it("closes a viewer at once when a membership invalidation names them and their role no longer allows it", async () => {
    const userId = await insertMember(testDb.db, ids.orgA);
    const watcher = await viewer(liveUrl(ids.cam1, tokenFor(ids.cam1, ids.orgA, 60, SECRET, { userId })));
    const bystander = await viewer(liveUrl(ids.cam1));
    await watcher.waitForBytes(0, 10_000);
    await testDb.db
      .update(schema.memberships)
      .set({ role: "auditor" })
      .where(and(eq(schema.memberships.userId, userId), eq(schema.memberships.orgId, ids.orgA)));
    // Nothing publishes this yet (member management is to come); the gateway already acts on it.
    await publishInvalidation(redis, PREFIX, { type: "member", orgId: ids.orgA, userId });
    expect(await closedWithin(watcher, 5_000)).toEqual(REVOKED.accessRevoked);
    // Another viewer of the same camera keeps watching.
    expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
    await eventually(() => gateway.stats().viewers === 1, 2_000, "the revoked viewer to be gone");
    bystander.ws.close();
    await eventually(() => gateway.stats().relays === 0, IDLE_STOP_MS + 3_000, "the idle relay to stop");
  });

  it("re-authorises viewers every reauthorizeMs and closes one whose membership is gone", async () => {
    const quick = await startExtraGateway({ reauthorizeMs: 500 });
    try {
      const userId = await insertMember(testDb.db, ids.orgA);
      const token = tokenFor(ids.cam1, ids.orgA, 60, SECRET, { userId });
      const watcher = await viewer(liveUrl(ids.cam1, token), quick.port);
      const bystander = await viewer(liveUrl(ids.cam1), quick.port);
      await watcher.waitForBytes(0, 10_000);
      // No invalidation: only the periodic check can notice.
      await testDb.db.delete(schema.memberships).where(eq(schema.memberships.userId, userId));
      expect(await closedWithin(watcher, 5_000)).toEqual(REVOKED.accessRevoked);
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      expect(bystander.ws.readyState).toBe(WebSocket.OPEN);
      bystander.ws.close();
      await bystander.closed;
    } finally {
      await quick.close();
    }
  });

  it("refuses tickets while Redis is unreachable (fails closed)", async () => {
    // Port 1 on loopback: nothing listens there, so every Redis command fails.
    const cut = await startExtraGateway({ redis: { url: "redis://127.0.0.1:1", prefix: PREFIX } });
    try {
      const { status, body } = await refusalWithBody(liveUrl(ids.cam1), cut.port);
      expect(status).toBe(503);
      expect(JSON.parse(body)).toEqual({ error: "temporarily unavailable" });
      expect(cut.stats()).toEqual({ relays: 0, viewers: 0, perCamera: {} });
    } finally {
      await cut.close();
    }
  });

  describe("video-access register", () => {
    /** A ticket from the real use case (which writes the register row), and the viewer it opens on `port`. */
    async function registeredViewer(port: number, cameraId: string, userId = ids.viewer) {
      const label = `register-viewer-${userId}@gateway.test`;
      const { url } = await liveViewToken(
        { db: testDb.db, actor: { userId, label }, orgId: ids.orgA, userId },
        { cameraId, reason: "other", note: "Checking the lobby after a complaint" },
      );
      const parsed = new URL(url.replace(/^ws/, "http"));
      const token = parsed.searchParams.get("token") as string;
      const { jti } = JSON.parse(Buffer.from(token.split(".")[0] as string, "base64url").toString()) as { jti: string };
      const watcher = await viewer(`${parsed.pathname}${parsed.search}`, port);
      // When the viewer last received video: the register's end may not be later than that.
      let lastReceivedAt = 0;
      watcher.ws.on("message", () => {
        lastReceivedAt = Date.now();
      });
      return { watcher, jti, label, lastReceivedAt: () => lastReceivedAt };
    }
    const rowOf = async (ticketId: string) => {
      const [row] = await testDb.db.select().from(schema.videoAccess).where(eq(schema.videoAccess.ticketId, ticketId));
      if (!row) throw new Error(`no register row for ${ticketId}`);
      return row;
    };
    // The dashboard's tickets are signed with the installation's secret.
    const registerGateway = () =>
      startExtraGateway({ secret: env.CONSENTRY_LIVE_VIEW_SECRET, reauthorizeMs: 3_600_000 });

    it("records when the stream opened and, when the viewer closes it, when the last frame was sent", async () => {
      const gw = await registerGateway();
      try {
        const before = Date.now();
        const { watcher, jti, label, lastReceivedAt } = await registeredViewer(gw.port, ids.cam1);
        await eventually(async () => (await rowOf(jti)).startedAt !== null, 3_000, "the start to be recorded");
        const opened = await rowOf(jti);
        expect(opened.startedAt?.getTime()).toBeGreaterThanOrEqual(before - 5);
        expect(opened.startedAt?.getTime()).toBeGreaterThanOrEqual(opened.requestedAt.getTime() - 5);
        expect(opened).toMatchObject({ endedAt: null, endReason: null, reason: "other", viewerLabel: label });
        await watcher.waitForBytes(100_000, 15_000);
        watcher.ws.close();
        await watcher.closed;
        const lastFrame = lastReceivedAt();
        await eventually(async () => (await rowOf(jti)).endedAt !== null, 3_000, "the end to be recorded");
        const ended = await rowOf(jti);
        expect(ended.endReason).toBe("viewer_closed");
        // Sent (gateway) before received (viewer), and not long before: the end is the last frame, not the close.
        expect(ended.endedAt?.getTime()).toBeLessThanOrEqual(lastFrame + 20);
        expect(ended.endedAt?.getTime()).toBeGreaterThan(lastFrame - 1_000);
        expect(ended.endedAt?.getTime()).toBeGreaterThan(ended.startedAt?.getTime() ?? Number.POSITIVE_INFINITY);
        // Names stay in the register, out of the logs.
        expect(logLines.join("\n")).not.toContain(label);
        expect(logLines.join("\n")).not.toContain("Checking the lobby");
      } finally {
        await gw.close();
      }
    });

    it("records the end of a stream revoked by a grant re-check, and of one on a disabled camera", async () => {
      const gw = await registerGateway();
      try {
        const userId = await insertMember(testDb.db, ids.orgA);
        const revoked = await registeredViewer(gw.port, ids.cam1, userId);
        const bystander = await registeredViewer(gw.port, ids.cam1);
        await revoked.watcher.waitForBytes(0, 10_000);
        await testDb.db
          .update(schema.memberships)
          .set({ role: "auditor" })
          .where(eq(schema.memberships.userId, userId));
        await publishInvalidation(redis, PREFIX, { type: "member", orgId: ids.orgA, userId });
        expect(await closedWithin(revoked.watcher, 5_000)).toEqual(REVOKED.accessRevoked);
        await eventually(async () => (await rowOf(revoked.jti)).endedAt !== null, 3_000, "the revoked end");
        const row = await rowOf(revoked.jti);
        expect(row.endReason).toBe("access_revoked");
        expect(row.endedAt?.getTime()).toBeLessThanOrEqual(revoked.lastReceivedAt() + 20);
        // The other viewer's stream goes on, and its row stays open.
        expect(bystander.watcher.ws.readyState).toBe(WebSocket.OPEN);
        expect((await rowOf(bystander.jti)).endedAt).toBeNull();
        bystander.watcher.ws.close();
        await eventually(async () => (await rowOf(bystander.jti)).endReason === "viewer_closed", 3_000, "its end");

        const cameraId = await insertCamera(testDb.db, {
          orgId: ids.orgA,
          siteId: ids.siteA,
          name: "Register off",
          url: sim.urlOf(2),
        });
        const onDisabled = await registeredViewer(gw.port, cameraId);
        await onDisabled.watcher.waitForBytes(0, 10_000);
        await setCameraEnabled(
          { db: testDb.db, actor: TEST_ACTOR, orgId: ids.orgA, jobs },
          { cameraId, enabled: false },
        );
        expect(await closedWithin(onDisabled.watcher, 5_000)).toEqual(REVOKED.cameraDisabled);
        await eventually(async () => (await rowOf(onDisabled.jti)).endReason === "camera_disabled", 3_000, "its end");
      } finally {
        await gw.close();
      }
    });

    it("records every open stream as ended by the gateway before close() resolves", async () => {
      const gw = await registerGateway();
      const { watcher, jti, lastReceivedAt } = await registeredViewer(gw.port, ids.cam1);
      await watcher.waitForBytes(0, 10_000);
      await eventually(async () => (await rowOf(jti)).startedAt !== null, 3_000, "the start to be recorded");
      await gw.close();
      // No waiting: main.ts closes the database pool right after the gateway.
      const row = await rowOf(jti);
      expect(row.endReason).toBe("gateway_stopped");
      expect(row.endedAt?.getTime()).toBeLessThanOrEqual(lastReceivedAt() + 20);
      expect((await watcher.closed).code).toBe(1001);
    });

    it("streams a ticket whose register row cannot be written, and logs it without names", async () => {
      // A ticket signed without a row (the test's own tokens): the stream is not the register's hostage.
      const watcher = await viewer(liveUrl(ids.cam1));
      await watcher.waitForBytes(0, 10_000);
      await eventually(
        () => logLines.some((line) => line.includes("no video-access register row for this ticket")),
        3_000,
        "the warning",
      );
      watcher.ws.close();
      await eventually(() => gateway.stats().relays === 0, IDLE_STOP_MS + 3_000, "the idle relay to stop");
    });
  });

  it("closes viewers and ffmpeg on close()", async () => {
    const watcher = await viewer(`/live/${ids.cam1}?token=${tokenFor(ids.cam1)}`);
    await watcher.waitForBytes(0, 10_000);
    await gateway.close();
    expect((await watcher.closed).code).toBe(1001);
    expect(await relayProcesses(sim.urlOf(1))).toEqual([]);
    await expect(fetch(`http://127.0.0.1:${gateway.port}/health`)).rejects.toThrow();
  });
});
