import { randomBytes } from "node:crypto";
import type { Principal } from "@consentry/auth";
import { schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import {
  createLeaseReader,
  type LeaseReader,
  producerOptions,
  QUEUE_NAMES,
  readLeaseStates,
  redisConnection,
  streamLeaseJobId,
  workerOptions,
} from "@consentry/queue";
import { type Job, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, liveLeases, makeOrganization, makePrincipal, recordingJobs, temporaryStorage } from "./testing";

// Real PostgreSQL and Redis. Lease jobs are put in each state as the inference workers leave
// them: a real BullMQ worker with one slot holds one lease until released (active), the rest
// wait for it (waiting, prioritized), and one is held back as after a failing stream (delayed).

const prefix = `test-capacity-${randomBytes(4).toString("hex")}`;
const redis = new Redis(redisConnection(env.REDIS_URL));
const leaseQueue = new Queue(QUEUE_NAMES.streamAnalysis, producerOptions(env.REDIS_URL, prefix));

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let worker: Worker;
let release: () => void = () => {};
let heldCameraId: string;
let leases: LeaseReader;
let managerA: Principal;
let managerB: Principal;
let orgA: string;
let orgB: string;
let siteA: string;
let siteB: string;
/** Org A's cameras by role in the test. */
const a = {} as Record<"held" | "queued" | "prioritized" | "failing" | "noLease" | "frOff" | "disabled", string>;
let bCamera: string;
const allA = () => Object.values(a);

async function camera(orgId: string, siteId: string, name: string, options: { fr?: boolean; disabled?: boolean } = {}) {
  const [row] = await testDb.db
    .insert(schema.cameras)
    .values({
      orgId,
      siteId,
      name,
      rtspUrlEnc: "never-read-here",
      rtspUrlMasked: "rtsp://127.0.0.1:8554/cam",
      locationType: "entrance",
      frEnabled: options.fr ?? true,
      disabledAt: options.disabled ? new Date() : null,
    })
    .returning({ id: schema.cameras.id });
  return row?.id as string;
}

async function site(orgId: string, code: string) {
  const [row] = await testDb.db
    .insert(schema.sites)
    .values({ orgId, name: `Site ${code}`, code, address: "1 Road", regionCode: "310101", kind: "office" })
    .returning({ id: schema.sites.id });
  return row?.id as string;
}

/** A lease job as the workers' reconcile adds it (ensureLeases). */
const addLease = (cameraId: string, opts: { delay?: number; priority?: number } = {}) =>
  leaseQueue.add(
    "lease",
    { cameraId },
    { jobId: streamLeaseJobId(cameraId), attempts: 1, removeOnComplete: true, removeOnFail: true, ...opts },
  );

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgA = (await makeOrganization(testDb.db)).id;
  orgB = (await makeOrganization(testDb.db)).id;
  managerA = await makePrincipal(testDb.db, { memberships: [[orgA, "manager"]] });
  managerB = await makePrincipal(testDb.db, { memberships: [[orgB, "manager"]] });
  siteA = await site(orgA, "S-CAPA01");
  siteB = await site(orgB, "S-CAPB01");
  a.held = await camera(orgA, siteA, "A held");
  a.queued = await camera(orgA, siteA, "A queued");
  a.prioritized = await camera(orgA, siteA, "A prioritized");
  a.failing = await camera(orgA, siteA, "A failing");
  a.noLease = await camera(orgA, siteA, "A not leased yet");
  a.frOff = await camera(orgA, siteA, "A without face recognition", { fr: false });
  a.disabled = await camera(orgA, siteA, "A disabled", { disabled: true });
  bCamera = await camera(orgB, siteB, "B queued");

  await addLease(a.held);
  await addLease(a.queued);
  await addLease(bCamera);
  await addLease(a.prioritized, { priority: 5 });
  await addLease(a.failing, { delay: 60_000 });
  // A stale lease of a camera whose face recognition was turned off: not counted as waiting.
  await addLease(a.frOff);

  // One slot: the first lease is taken and held, every other one waits for the slot.
  let taken: (cameraId: string) => void = () => {};
  const held = new Promise<string>((resolve) => {
    taken = resolve;
  });
  worker = new Worker(
    QUEUE_NAMES.streamAnalysis,
    async (job: Job) => {
      taken(job.data.cameraId);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    },
    { ...workerOptions(env.REDIS_URL, prefix), concurrency: 1 },
  );
  heldCameraId = await held;
  leases = liveLeases(testDb.db, redis, prefix);
});

afterAll(async () => {
  const closing = worker?.close();
  release();
  await closing;
  await leaseQueue.obliterate({ force: true });
  await leaseQueue.close();
  redis.disconnect();
  await testDb?.drop();
});

describe("readLeaseStates", () => {
  it("tells analysed, waiting and retrying cameras apart, in one read of the lease queue", async () => {
    expect(heldCameraId).toBe(a.held);
    const ids = [a.held, a.queued, a.prioritized, a.failing, a.noLease, bCamera];
    const { states, counts } = await readLeaseStates(redis, prefix, ids);
    expect(Object.fromEntries(states)).toEqual({
      [a.held]: "analysed",
      [a.queued]: "waiting",
      [a.prioritized]: "waiting",
      [a.failing]: "retrying",
      // No lease job yet: it waits for the workers' next reconcile, then for a slot.
      [a.noLease]: "waiting",
      [bCamera]: "waiting",
    });
    expect(counts).toEqual({ analysed: 1, waiting: 4, retrying: 1 });
  });

  it("counts only the cameras asked about", async () => {
    const { states, counts } = await readLeaseStates(redis, prefix, [a.failing]);
    expect([...states]).toEqual([[a.failing, "retrying"]]);
    expect(counts).toEqual({ analysed: 0, waiting: 0, retrying: 1 });
  });
});

describe("createLeaseReader", () => {
  it("reads every camera to analyse (face recognition on, enabled), with installation-wide counts", async () => {
    const all = await leases.read();
    expect(all?.counts).toEqual({ analysed: 1, waiting: 4, retrying: 1 });
    expect(new Set(all?.states.keys())).toEqual(
      new Set([a.held, a.queued, a.prioritized, a.failing, a.noLease, bCamera]),
    );
  });

  it("returns the states of the cameras asked about only, and leaves out those not to analyse", async () => {
    const some = await leases.read([a.held, a.frOff, a.disabled]);
    expect(Object.fromEntries(some?.states ?? [])).toEqual({ [a.held]: "analysed" });
    expect(some?.counts.waiting).toBe(4);
  });

  it("answers null, not an error, when Redis or PostgreSQL does not answer", async () => {
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on("error", () => {});
    try {
      expect(await liveLeases(testDb.db, dead, prefix).read()).toBeNull();
    } finally {
      dead.disconnect();
    }
    const failingDb = createLeaseReader({
      redis,
      prefix,
      camerasToAnalyse: () => Promise.reject(new Error("database down")),
    });
    expect(await failingDb.read()).toBeNull();
    const slow = createLeaseReader({
      redis,
      prefix,
      camerasToAnalyse: () => new Promise(() => {}),
      timeoutMs: 200,
    });
    expect(await slow.read()).toBeNull();
  });
});

const api = (who: Principal, reader: LeaseReader = leases) =>
  callerFor(testDb.db, who, recordingJobs(), temporaryStorage(), undefined, reader);

describe("cameras.list and cameras.byId with lease states", () => {
  it("show a manager the state of their own cameras only, with how many cameras wait in all", async () => {
    const list = await api(managerA).cameras.list({ orgId: orgA, pageSize: 50 });
    const byName = Object.fromEntries(list.items.map((item) => [item.name, item.inference]));
    expect(byName).toEqual({
      "A held": "analysed",
      "A queued": "waiting",
      "A prioritized": "waiting",
      "A failing": "retrying",
      "A not leased yet": "waiting",
      "A without face recognition": null,
      "A disabled": null,
    });
    // Installation-wide: org B's waiting camera is counted, never named or identified.
    expect(list.waitingForWorker).toBe(4);
    expect(JSON.stringify(list)).not.toContain(bCamera);
    expect(list.items.map((item) => item.id).sort()).toEqual(allA().sort());

    const detail = await api(managerA).cameras.byId({ orgId: orgA, cameraId: a.queued });
    expect(detail).toMatchObject({ inference: "waiting", waitingForWorker: 4 });
    expect((await api(managerA).cameras.byId({ orgId: orgA, cameraId: a.failing })).inference).toBe("retrying");
  });

  it("never reveal another organisation's camera or its state", async () => {
    const theirs = await api(managerB).cameras.list({ orgId: orgB });
    expect(theirs.items.map((item) => [item.id, item.inference])).toEqual([[bCamera, "waiting"]]);
    expect(JSON.stringify(theirs)).not.toMatch(new RegExp(allA().join("|")));
    await expect(api(managerB).cameras.byId({ orgId: orgB, cameraId: a.held })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(api(managerB).cameras.list({ orgId: orgA })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("asks the lease reader about the organisation's analysable cameras only", async () => {
    const asked: (readonly string[] | undefined)[] = [];
    const spy: LeaseReader = {
      read: (ids) => {
        asked.push(ids);
        return leases.read(ids);
      },
    };
    await api(managerB, spy).cameras.list({ orgId: orgB });
    await api(managerA, spy).cameras.byId({ orgId: orgA, cameraId: a.held });
    await api(managerA, spy).cameras.byId({ orgId: orgA, cameraId: a.frOff });
    expect(asked).toEqual([[bCamera], [a.held]]);
  });

  it("still list cameras, without states, when the lease states are unknown (Redis down)", async () => {
    const list = await api(managerA, { read: async () => null }).cameras.list({ orgId: orgA });
    expect(list.items).toHaveLength(allA().length);
    expect(list.items.every((item) => item.inference === null)).toBe(true);
    expect(list.waitingForWorker).toBeNull();
    const broken: LeaseReader = { read: () => Promise.reject(new Error("boom")) };
    expect((await api(managerA, broken).cameras.byId({ orgId: orgA, cameraId: a.held })).inference).toBeNull();
  });
});

describe("recognition.feed", () => {
  it("counts the site's unknown faces of the last hour, never another site's or organisation's", async () => {
    const minute = (minutesAgo: number) => new Date(Math.floor(Date.now() / 60_000 - minutesAgo) * 60_000);
    await testDb.db.insert(schema.unknownFaceCounts).values([
      { cameraId: a.held, minute: minute(1), count: 5 },
      { cameraId: a.queued, minute: minute(30), count: 7 },
      // Older than an hour.
      { cameraId: a.held, minute: minute(90), count: 100 },
      // Another organisation's camera.
      { cameraId: bCamera, minute: minute(1), count: 40 },
    ]);
    const feed = await api(managerA).recognition.feed({ orgId: orgA, siteId: siteA });
    expect(feed).toMatchObject({ items: [], unknownFacesLastHour: 12 });
    const theirs = await api(managerB).recognition.feed({ orgId: orgB, siteId: siteB });
    expect(theirs.unknownFacesLastHour).toBe(40);
  });
});

// Last: it changes the lease states the tests above rely on.
describe("when the slot frees up", () => {
  it("the next waiting camera is analysed, and the released one waits for its next lease", async () => {
    release();
    const deadline = Date.now() + 10_000;
    let states = (await readLeaseStates(redis, prefix, [a.held, a.queued])).states;
    while (states.get(a.queued) !== "analysed" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      states = (await readLeaseStates(redis, prefix, [a.held, a.queued])).states;
    }
    // Leases without a priority go first (BullMQ), in the order they were added.
    expect(Object.fromEntries(states)).toEqual({ [a.queued]: "analysed", [a.held]: "waiting" });
    expect((await leases.read())?.counts).toEqual({ analysed: 1, waiting: 4, retrying: 1 });
  });
});
