import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCameraSimulator } from "@consentry/camera-sim";
import {
  createMailer,
  createNotifications,
  type NotificationMailServices,
  saveNotificationPreference,
  statusLink,
} from "@consentry/core/notifications";
import { approveRequest, refuseRequest } from "@consentry/core/requests";
import { createSite } from "@consentry/core/sites";
import { createSubject, giveConsent } from "@consentry/core/subjects";
import {
  makeOrganization,
  makeTemplates,
  recognitionConsent,
  TEST_ACTOR,
  temporaryStorage,
} from "@consentry/core/testing";
import { consentFields, siteFields, subjectFields } from "@consentry/core/validators";
import { encryptString } from "@consentry/crypto";
import { and, eq, inArray, type SQL, schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { readMailbox, startDevMailServer } from "@consentry/mail/dev-server";
import { createJobProducer, NOTIFICATION_JOBS, producerOptions, QUEUE_NAMES, redisConnection } from "@consentry/queue";
import { type Job, Queue, QueueKeys } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cameraProbeProcessor } from "./processors/camera-probe";
import { queueInstantMail } from "./processors/notifications";
import {
  NOTIFICATION_DIGEST_SCHEDULER_ID,
  NOTIFICATION_PURGE_SCHEDULER_ID,
  NOTIFICATION_RELAY_SCHEDULER_ID,
  NOTIFICATION_SWEEP_SCHEDULER_ID,
  type OpsWorker,
  startOpsWorker,
} from "./worker";

// Alerts (issue #17.2) end to end in the ops worker: real PostgreSQL, Redis (private prefix), the
// camera simulator with ffprobe, and the in-process SMTP server, whose mailbox the tests read.

const redisUrl = env.REDIS_URL;
const prefix = `test-notify-${randomBytes(6).toString("hex")}`;
const { cameraStatusEvents, cameras, dsrRequests, memberships, notifications, retentionRuns, users } = schema;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const storage = temporaryStorage();
const mailDir = mkdtempSync(join(tmpdir(), "consentry-notify-mail-"));
const redis = new Redis(redisConnection(redisUrl));
const jobs = createJobProducer(redisUrl, prefix);
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let smtp: Awaited<ReturnType<typeof startDevMailServer>>;
let sim: Awaited<ReturnType<typeof startCameraSimulator>>;
let ops: OpsWorker;
let queue: Queue;
let realMailer: ReturnType<typeof createMailer>;
const deadMailer = createMailer("smtp://127.0.0.1:1", "Consentry <no-reply@consentry.local>");
/** The worker's mailer; a test points it at a port where nothing listens to make SMTP fail. */
const switchable = { target: null as ReturnType<typeof createMailer> | null };
const PORTAL_SECRET = "notify-test-portal-secret-0000000000000000";
const services: NotificationMailServices = {
  mailer: { send: (mail) => (switchable.target as ReturnType<typeof createMailer>).send(mail) },
  baseUrl: "http://consentry.test",
  portalSecret: PORTAL_SECRET,
};

// Organisation A with two sites and one member per role (and a second manager watching South
// only); organisation B with a manager who must never hear of A.
let orgA: string;
let orgB: string;
let north: string;
let south: string;
let siteB: string;
const member: Record<string, { id: string; email: string }> = {};

async function addMember(orgId: string, key: string, role: "owner" | "manager" | "operator" | "auditor") {
  const id = randomUUID();
  const email = `${key}-${randomBytes(3).toString("hex")}@staff.test`;
  await testDb.db.insert(users).values({ id, name: key, email });
  await testDb.db.insert(memberships).values({ orgId, userId: id, role });
  member[key] = { id, email };
  return id;
}

async function site(orgId: string, name: string) {
  return (
    await createSite(
      { db: testDb.db, actor: TEST_ACTOR, orgId },
      siteFields.parse({ name, address: "1 Road", regionCode: "310101", kind: "office", templateRetentionDays: 365 }),
    )
  ).id;
}

const mailsTo = async (email: string) => (await readMailbox(mailDir, 500)).filter((mail) => mail.to === email);

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const rowsOf = async (where: SQL | undefined) =>
  (await testDb.db.select().from(notifications).where(where)).map((row) => ({
    ...row,
    params: row.params as Record<string, unknown>,
  }));

/** Adds a job and waits until the worker finished it. */
async function runJob(add: () => Promise<Job>) {
  const job = await add();
  await until(
    () => queue.getJobState(String(job.id)),
    (state) => state === "completed",
    `${job.name} job`,
  );
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  smtp = await startDevMailServer({ dir: mailDir });
  realMailer = createMailer(smtp.url, "Consentry <no-reply@consentry.local>");
  switchable.target = realMailer;
  sim = await startCameraSimulator({ count: 1, port: 0, log: () => {} });
  orgA = (await makeOrganization(testDb.db)).id;
  orgB = (await makeOrganization(testDb.db)).id;
  north = await site(orgA, "North Tower");
  south = await site(orgA, "South Tower");
  siteB = await site(orgB, "Other Plaza");
  await addMember(orgA, "owner", "owner");
  await addMember(orgA, "manager", "manager");
  await addMember(orgA, "operator", "operator");
  await addMember(orgA, "auditor", "auditor");
  await addMember(orgA, "southManager", "manager");
  await addMember(orgB, "otherManager", "manager");
  const save = (key: string, role: "manager" | "auditor", input: Parameters<typeof saveNotificationPreference>[1]) =>
    saveNotificationPreference(
      { db: testDb.db, actor: TEST_ACTOR, orgId: orgA, userId: member[key]?.id as string, role },
      input,
    );
  // The auditor wants nothing of outages; the second manager only South's.
  for (const kind of ["camera_offline", "camera_online"] as const) {
    await save("auditor", "auditor", { kind, inApp: false, email: "off", siteId: null });
    await save("southManager", "manager", { kind, inApp: true, email: "instant", siteId: south });
  }
  ops = startOpsWorker({
    db: testDb.db,
    redisUrl,
    prefix,
    logger: pino({ level: "silent" }),
    storage,
    probeIntervalMs: 3_600_000,
    notificationMail: services,
    notificationMailDelayMs: 0,
    notificationRelayEveryMs: 300,
  });
  queue = new Queue(QUEUE_NAMES.notifications, producerOptions(redisUrl, prefix));
  await Promise.all([ops.ready, queue.waitUntilReady()]);
}, 60_000);

afterAll(async () => {
  const steps = [
    () => ops?.close(),
    () => queue?.obliterate({ force: true }),
    () => queue?.close(),
    () => jobs.close(),
    async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
    () => sim?.stop(),
    () => smtp?.stop(),
    () => realMailer?.close(),
    () => deadMailer.close(),
    () => testDb?.drop(),
    () => rm(mailDir, { recursive: true, force: true }),
    () => rm(storage.root, { recursive: true, force: true }),
  ];
  for (const step of steps) await Promise.resolve(step()).catch(() => {});
}, 30_000);

describe("camera outages", { timeout: 60_000 }, () => {
  let cameraId: string;
  const runProbe = async () => {
    const processor = cameraProbeProcessor({
      db: testDb.db,
      logger: pino({ level: "silent" }),
      timeoutMs: 6000,
      notifications: { offlineMinutes: 5, queueMail: (created) => queueInstantMail(queue, created, 0) },
    });
    await processor({ data: { cameraId } } as Job);
  };
  const outageRows = (kind: "camera_offline" | "camera_online") =>
    rowsOf(and(eq(notifications.kind, kind), eq(notifications.targetId, cameraId)));

  it("tells every subscribed member once, with one mail each however often the probe runs, then that it is back", async () => {
    const url = sim.urlOf(1);
    const [camera] = await testDb.db
      .insert(cameras)
      .values({
        orgId: orgA,
        siteId: north,
        name: "North gate",
        rtspUrlEnc: encryptString(url, "cameras.rtsp_url"),
        rtspUrlMasked: url,
        locationType: "entrance",
      })
      .returning();
    cameraId = camera?.id as string;
    await runProbe();
    await sim.stopCamera(1);
    await runProbe();
    expect((await testDb.db.select().from(cameras).where(eq(cameras.id, cameraId)))[0]?.status).toBe("offline");
    // Down for less than 5 minutes: nobody hears of it yet.
    expect(await outageRows("camera_offline")).toEqual([]);

    // As if it had gone down 10 minutes ago (and been up before that).
    await testDb.db.execute(sql`update camera_status_events set at = at - case when status = 'online'
      then interval '20 minutes' else interval '10 minutes' end where camera_id = ${cameraId}`);
    for (let i = 0; i < 3; i++) await runProbe();
    const offline = await outageRows("camera_offline");
    // Owner, manager and operator (the bell only, by default); not the auditor (turned off), not
    // the manager watching South only, nobody of organisation B.
    expect(offline.map((row) => row.userId).sort()).toEqual(
      [member.owner?.id, member.manager?.id, member.operator?.id].sort(),
    );
    expect(new Set(offline.map((row) => row.dedupeKey)).size).toBe(1);
    expect(offline[0]?.params).toMatchObject({ camera: "North gate", site: "North Tower", minutes: 5 });

    const owner = member.owner?.email as string;
    const manager = member.manager?.email as string;
    await until(
      async () => [...(await mailsTo(owner)), ...(await mailsTo(manager))],
      (mails) => mails.length >= 2,
      "the offline mails",
    );
    // The relay runs every 300 ms and more probes come: still one mail each.
    for (let i = 0; i < 2; i++) await runProbe();
    await pause(1500);
    for (const email of [owner, manager]) {
      const mails = await mailsTo(email);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toContain('Camera "North gate" at North Tower has been offline');
      expect(mails[0]?.text).toContain(`http://consentry.test/cameras/${cameraId}`);
    }
    for (const key of ["operator", "auditor", "southManager", "otherManager"]) {
      expect(await mailsTo(member[key]?.email as string), key).toEqual([]);
    }
    const mailed = await outageRows("camera_offline");
    expect(
      mailed
        .filter((row) => row.emailedAt)
        .map((row) => row.userId)
        .sort(),
    ).toEqual([member.owner?.id, member.manager?.id].sort());

    await sim.startCamera(1);
    await until(
      async () => {
        await runProbe();
        return (await testDb.db.select().from(cameras).where(eq(cameras.id, cameraId)))[0]?.status;
      },
      (status) => status === "online",
      "the camera back online",
    );
    await runProbe();
    const online = await outageRows("camera_online");
    expect(online.map((row) => row.userId).sort()).toEqual(
      [member.owner?.id, member.manager?.id, member.operator?.id].sort(),
    );
    expect(online[0]?.params).toMatchObject({ camera: "North gate", minutes: expect.any(Number) });
    await until(
      () => mailsTo(owner),
      (mails) => mails.length === 2,
      "the back-online mail",
    );
    expect((await mailsTo(owner))[0]?.subject).toContain("is back online");
    const others = await rowsOf(inArray(notifications.userId, [member.otherManager?.id as string]));
    expect(others).toEqual([]);
  });

  it("leaves a short outage unannounced, and its end too", async () => {
    const [camera] = await testDb.db
      .insert(cameras)
      .values({
        orgId: orgA,
        siteId: south,
        name: "South lobby",
        rtspUrlEnc: encryptString(sim.urlOf(1), "cameras.rtsp_url"),
        rtspUrlMasked: sim.urlOf(1),
        locationType: "lobby",
        status: "offline",
        lastSeenAt: new Date(Date.now() - MINUTE),
      })
      .returning();
    cameraId = camera?.id as string;
    await testDb.db
      .insert(cameraStatusEvents)
      .values({ cameraId, status: "offline", at: new Date(Date.now() - MINUTE) });
    await runProbe();
    expect((await testDb.db.select().from(cameras).where(eq(cameras.id, cameraId)))[0]?.status).toBe("online");
    expect([...(await outageRows("camera_offline")), ...(await outageRows("camera_online"))]).toEqual([]);
  });
});

describe("the daily digest", { timeout: 30_000 }, () => {
  it("sends a member who chose it one mail with the day's notifications, and nothing the next time", async () => {
    const userId = member.operator?.id as string;
    for (const kind of ["request_received", "request_overdue"] as const) {
      await saveNotificationPreference(
        { db: testDb.db, actor: TEST_ACTOR, orgId: orgA, userId, role: "operator" },
        { kind, inApp: true, email: "daily", siteId: null },
      );
    }
    for (const [kind, reference] of [
      ["request_received", "R-DGST-AAAA"],
      ["request_overdue", "R-DGST-BBBB"],
    ] as const) {
      await createNotifications(testDb.db, {
        orgId: orgA,
        kind,
        siteId: north,
        targetType: "request",
        targetId: randomUUID(),
        params: { reference, type: "access", site: "North Tower", dueAt: new Date().toISOString() },
        dedupeKey: `${kind}:${reference}`,
      });
    }
    await pause(800); // the relay has run: none of these is instant for the operator
    const operator = member.operator?.email as string;
    expect(await mailsTo(operator)).toEqual([]);

    await runJob(() => NOTIFICATION_JOBS.digest.add(queue, {}));
    const [digest, ...more] = await mailsTo(operator);
    expect(more).toEqual([]);
    expect(digest?.subject).toContain("daily digest: 2");
    expect(digest?.text).toContain("R-DGST-AAAA");
    expect(digest?.text).toContain("R-DGST-BBBB");
    // The camera notices the operator has in the bell (mail off) are not in it.
    expect(digest?.text).not.toContain("North gate");
    await runJob(() => NOTIFICATION_JOBS.digest.add(queue, {}));
    expect(await mailsTo(operator)).toHaveLength(1);
  });
});

describe("mail retries", { timeout: 30_000 }, () => {
  it("keeps a notification waiting while SMTP fails and marks it mailed once the server accepts it", async () => {
    switchable.target = deadMailer;
    const manager = member.manager?.email as string;
    const before = (await mailsTo(manager)).length;
    const created = await createNotifications(testDb.db, {
      orgId: orgA,
      kind: "erasure_failed",
      siteId: north,
      targetType: "request",
      targetId: randomUUID(),
      params: { reference: "R-RTRY-CCCC", site: "North Tower", attempts: 3 },
      dedupeKey: "erasure_failed:retry-test",
    });
    const mine = created.find((row) => row.userId === member.manager?.id);
    expect(mine?.email).toBe("instant");
    await queueInstantMail(queue, created, 0);
    // The first attempt fails and waits for its backoff.
    const retrying = await until(
      async () => (await queue.getDelayed()).filter((job) => job.data.userId === member.manager?.id),
      (found) => found.length === 1 && (found[0]?.attemptsMade ?? 0) >= 1,
      "a failed first attempt",
    );
    const [job] = retrying as Job[];
    expect(job?.failedReason).toMatch(/did not accept/);
    expect(job?.failedReason).not.toContain("@");
    const [waiting] = await rowsOf(eq(notifications.id, mine?.id as string));
    expect(waiting?.emailedAt).toBeNull();

    switchable.target = realMailer;
    await job?.promote();
    await until(
      () => mailsTo(manager),
      (mails) => mails.length === before + 1,
      "the retried mail",
    );
    expect((await mailsTo(manager))[0]?.subject).toContain("R-RTRY-CCCC");
    const [sent] = await rowsOf(eq(notifications.id, mine?.id as string));
    expect(sent?.emailedAt).toBeInstanceOf(Date);
  });
});

describe("the hourly sweep", { timeout: 60_000 }, () => {
  it("announces overdue and due-soon requests, critical findings (again only if they come back) and a failed retention run, in their organisation only", async () => {
    const request = async (orgId: string, siteId: string, dueInDays: number, reference: string) => {
      const [row] = await testDb.db
        .insert(dsrRequests)
        .values({
          orgId,
          siteId,
          type: "access",
          referenceCode: reference,
          contactHash: `h-${reference}`,
          status: "open",
          verifiedAt: new Date(Date.now() - 30 * DAY),
          dueAt: new Date(Date.now() + dueInDays * DAY),
        })
        .returning({ id: dsrRequests.id });
      return row?.id as string;
    };
    const late = await request(orgA, north, -2, "R-LATE-2222");
    const soon = await request(orgA, south, 1, "R-SOON-3333");
    const later = await request(orgA, south, 40, "R-LATR-4444");
    const theirs = await request(orgB, siteB, -2, "R-THRS-5555");
    // A camera in a private space: critical (CN-CAM-01).
    const [toilet] = await testDb.db
      .insert(cameras)
      .values({
        orgId: orgA,
        siteId: south,
        name: "Washroom",
        rtspUrlEnc: "never-read",
        rtspUrlMasked: "rtsp://10.0.0.9/x",
        locationType: "public_toilet",
        disabledAt: new Date(),
      })
      .returning();
    await testDb.db.insert(retentionRuns).values({ status: "failed", finishedAt: new Date(), error: "disk full" });

    await runJob(() => NOTIFICATION_JOBS.sweep.add(queue, {}));
    const byKind = async (kind: (typeof notifications.kind.enumValues)[number], targetId?: string) =>
      (
        await rowsOf(and(eq(notifications.kind, kind), targetId ? eq(notifications.targetId, targetId) : undefined))
      ).map((row) => ({ userId: row.userId, orgId: row.orgId, key: row.dedupeKey, params: row.params }));
    const staff = [member.owner?.id, member.manager?.id, member.operator?.id, member.southManager?.id].sort();
    expect((await byKind("request_overdue", late)).map((row) => row.userId).sort()).toEqual(staff);
    expect((await byKind("request_due_soon", soon)).map((row) => row.userId).sort()).toEqual(staff);
    expect(await byKind("request_due_soon", later)).toEqual([]);
    expect((await byKind("request_overdue", theirs)).map((row) => row.userId)).toEqual([member.otherManager?.id]);
    const critical = (await byKind("finding_critical")).filter(
      (row) => row.params.code === "CN-CAM-01.cameraInPrivateSpace",
    );
    // Every member of A, auditors included; B has no such camera.
    expect(critical.map((row) => row.userId).sort()).toEqual([...staff, member.auditor?.id].sort());
    expect(critical.every((row) => row.orgId === orgA)).toBe(true);
    const retention = await byKind("retention_failed");
    expect(retention.filter((row) => row.orgId === orgA)).toHaveLength(5);
    expect(retention.filter((row) => row.orgId === orgB).map((row) => row.userId)).toEqual([member.otherManager?.id]);

    // Once only.
    const count = async () => (await testDb.db.select().from(notifications)).length;
    const total = await count();
    await runJob(() => NOTIFICATION_JOBS.sweep.add(queue, {}));
    expect(await count()).toBe(total);

    // Fixed: its notices are marked resolved; back again: announced again.
    await testDb.db
      .update(cameras)
      .set({ locationType: "lobby" })
      .where(eq(cameras.id, toilet?.id as string));
    await runJob(() => NOTIFICATION_JOBS.sweep.add(queue, {}));
    const resolved = (await byKind("finding_critical")).filter(
      (row) => row.params.code === "CN-CAM-01.cameraInPrivateSpace",
    );
    expect(resolved.every((row) => typeof row.params.resolvedAt === "string")).toBe(true);
    await testDb.db
      .update(cameras)
      .set({ locationType: "public_toilet" })
      .where(eq(cameras.id, toilet?.id as string));
    await runJob(() => NOTIFICATION_JOBS.sweep.add(queue, {}));
    const again = (await byKind("finding_critical")).filter(
      (row) => row.params.code === "CN-CAM-01.cameraInPrivateSpace",
    );
    expect(again).toHaveLength(critical.length * 2);
    expect(new Set(again.map((row) => row.key)).size).toBe(2);
  });
});

describe("requesters' mail", { timeout: 60_000 }, () => {
  const requestWith = async (email: string, subjectId: string | null, type: "deletion" | "access") => {
    const reference = `R-${randomBytes(4).toString("hex").toUpperCase()}`;
    const [row] = await testDb.db
      .insert(dsrRequests)
      .values({
        orgId: orgA,
        siteId: north,
        subjectId,
        type,
        referenceCode: reference,
        contactEnc: encryptString(JSON.stringify({ email, phone: null }), "dsr_requests.contact"),
        contactHash: `h-${reference}`,
        status: "open",
        verifiedAt: new Date(),
        dueAt: new Date(Date.now() + 20 * DAY),
      })
      .returning({ id: dsrRequests.id });
    return { id: row?.id as string, reference };
  };
  /** Everything the notifications queue holds in Redis: jobs, their lists and its event stream. */
  const jobTexts = async () => {
    const keys = new QueueKeys(prefix);
    const ids = await redis.keys(keys.toKey(QUEUE_NAMES.notifications, "*"));
    const texts: string[] = [];
    for (const key of ids) {
      const type = await redis.type(key);
      if (type === "hash") texts.push(JSON.stringify(await redis.hgetall(key)));
      else if (type === "stream") texts.push(JSON.stringify(await redis.xrange(key, "-", "+")));
      else if (type === "list") texts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
      else if (type === "zset") texts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    }
    return texts.join("\n");
  };

  it("mails a refused requester the reason and their status link; no address is ever in Redis", async () => {
    const email = `refused-${randomBytes(3).toString("hex")}@example.cn`;
    const { id, reference } = await requestWith(email, null, "access");
    const reason = "We hold no face data: this site never enrolled you.";
    await refuseRequest({ db: testDb.db, actor: TEST_ACTOR, orgId: orgA, jobs }, { requestId: id, reason });
    const [mail] = await until(
      () => mailsTo(email),
      (mails) => mails.length === 1,
      "the refusal mail",
    );
    expect(mail?.subject).toBe(`Consentry 请求未获批准 / request refused: ${reference}`);
    expect(mail?.text).toContain(reason);
    expect(mail?.text).toContain(statusLink({ baseUrl: services.baseUrl, portalSecret: PORTAL_SECRET }, reference));
    expect(await jobTexts()).not.toContain(email);
  });

  it("mails a refusal even when the web app could not queue it: the relay catches up", async () => {
    const email = `relayed-${randomBytes(3).toString("hex")}@example.cn`;
    const { id, reference } = await requestWith(email, null, "access");
    await refuseRequest(
      { db: testDb.db, actor: TEST_ACTOR, orgId: orgA },
      { requestId: id, reason: "The request names no site we run." },
    );
    const [mail] = await until(
      () => mailsTo(email),
      (mails) => mails.length === 1,
      "the relayed refusal mail",
    );
    expect(mail?.subject).toContain(reference);
    await pause(1000); // more relay runs: still one mail
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it("mails an approved deletion's requester the certificate link once the erasure is done; no job names the request", async () => {
    const email = `erased-${randomBytes(3).toString("hex")}@example.cn`;
    const deps = { db: testDb.db, actor: TEST_ACTOR, orgId: orgA };
    const { id: subjectId } = await createSubject(
      deps,
      subjectFields.parse({ displayName: "林", contact: null, isMinor: false, birthYear: null }),
    );
    const consent = await giveConsent(deps, consentFields.parse(recognitionConsent(subjectId, north)));
    await makeTemplates(testDb.db, { orgId: orgA, subjectId, siteId: north, consentId: consent.id }, 2);
    const { id, reference } = await requestWith(email, subjectId, "deletion");
    await approveRequest({ ...deps, jobs }, { requestId: id });
    const [completed] = await until(
      () => mailsTo(email),
      (found) => found.length === 1,
      "the completion mail",
    );
    expect(completed?.subject).toBe(`Consentry 删除已完成 / erasure completed: ${reference}`);
    expect(completed?.text).toContain(`http://consentry.test/api/portal/certificate?reference=${reference}&token=`);
    await pause(800); // relay runs: nothing more
    expect(await mailsTo(email)).toHaveLength(1);
    const [row] = await testDb.db.select().from(dsrRequests).where(eq(dsrRequests.id, id));
    expect(row?.status).toBe("completed");
    expect(row?.contactEnc).toBeNull();
    const texts = await jobTexts();
    expect(texts).not.toContain(email);
    expect(texts).not.toContain(id);
  });
});

describe("purge", { timeout: 30_000 }, () => {
  it("deletes notifications read more than 90 days ago, on its own schedule", async () => {
    const schedulers = (await queue.getJobSchedulers()).map((scheduler) => scheduler.key).sort();
    expect(schedulers).toEqual(
      [
        NOTIFICATION_RELAY_SCHEDULER_ID,
        NOTIFICATION_SWEEP_SCHEDULER_ID,
        NOTIFICATION_DIGEST_SCHEDULER_ID,
        NOTIFICATION_PURGE_SCHEDULER_ID,
      ].sort(),
    );
    const row = (key: string, readDaysAgo: number | null, createdDaysAgo: number) => ({
      orgId: orgA,
      userId: member.owner?.id as string,
      kind: "camera_offline" as const,
      targetType: "camera",
      dedupeKey: `purge-test:${key}`,
      createdAt: new Date(Date.now() - createdDaysAgo * DAY),
      readAt: readDaysAgo === null ? null : new Date(Date.now() - readDaysAgo * DAY),
    });
    await testDb.db
      .insert(notifications)
      .values([row("old-read", 91, 120), row("recent-read", 89, 120), row("old-unread", null, 200)]);
    await runJob(() => NOTIFICATION_JOBS.purge.add(queue, {}));
    const left = (await rowsOf(sql`${notifications.dedupeKey} like 'purge-test:%'`)).map((r) => r.dedupeKey).sort();
    expect(left).toEqual(["purge-test:old-unread", "purge-test:recent-read"]);
  });
});
