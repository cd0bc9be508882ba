import { randomUUID } from "node:crypto";
import type { Principal } from "@consentry/auth";
import { createNotifications, type NotificationEvent } from "@consentry/core/notifications";
import { statusToken } from "@consentry/core/portal";
import { and, eq, inArray, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  callerFor,
  databaseDigest,
  lastCodeSentTo,
  makeOrganization,
  makePrincipal,
  recordingPortal,
  unique,
} from "../testing";

// Issue #17.2: a member's bell, list and preferences over tRPC, against real PostgreSQL. Each
// member sees only their own notifications; another member's, or another tenant's, are not found.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgA: string;
let orgB: string;
let siteA: string;
let siteA2: string;
let siteB: string;
let managerA: Principal;
let operatorA: Principal;
let auditorA: Principal;
let managerB: Principal;
const { notifications, notificationPreferences, auditLog } = schema;

async function site(orgId: string, name: string) {
  const [row] = await testDb.db
    .insert(schema.sites)
    .values({ orgId, name, code: unique("S").toUpperCase(), address: "1 Road", regionCode: "310101", kind: "office" })
    .returning({ id: schema.sites.id });
  return row?.id as string;
}

const outage = (orgId: string, siteId: string, n: number): NotificationEvent => ({
  orgId,
  kind: "camera_offline",
  siteId,
  targetType: "camera",
  targetId: randomUUID(),
  params: { camera: `Gate ${n}`, site: "Tower", since: new Date().toISOString(), minutes: 5 },
  dedupeKey: `camera_offline:${unique("cam")}:${n}`,
});

const api = (principal: Principal) => callerFor(testDb.db, principal);
const idsOf = async (userId: string) =>
  (await testDb.db.select().from(notifications).where(eq(notifications.userId, userId))).map((row) => row.id);

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgA = (await makeOrganization(testDb.db)).id;
  orgB = (await makeOrganization(testDb.db)).id;
  siteA = await site(orgA, "Harbour");
  siteA2 = await site(orgA, "Garden");
  siteB = await site(orgB, "Elsewhere");
  managerA = await makePrincipal(testDb.db, { memberships: [[orgA, "manager"]] });
  operatorA = await makePrincipal(testDb.db, { memberships: [[orgA, "operator"]] });
  auditorA = await makePrincipal(testDb.db, { memberships: [[orgA, "auditor"]] });
  managerB = await makePrincipal(testDb.db, { memberships: [[orgB, "manager"]] });
});
afterAll(async () => {
  await testDb?.drop();
});

describe("notifications", () => {
  it("lists the member's own, newest first a page at a time, and counts and marks them read", async () => {
    for (let n = 1; n <= 25; n++) {
      const created = await createNotifications(testDb.db, outage(orgA, siteA, n));
      // Distinct creation times, so "newest first" is observable.
      await testDb.db
        .update(notifications)
        .set({ createdAt: new Date(Date.now() - (100 - n) * 1000) })
        .where(
          inArray(
            notifications.id,
            created.map((row) => row.id),
          ),
        );
    }
    const me = api(managerA);
    const first = await me.notifications.list({ orgId: orgA });
    expect(first).toMatchObject({ page: 1, pageSize: 20, total: 25, unread: 25 });
    expect(first.items).toHaveLength(20);
    expect(first.items[0]?.params).toMatchObject({ camera: "Gate 25" });
    expect(first.items[0]?.href).toBe(`/cameras/${first.items[0]?.targetId}`);
    const second = await me.notifications.list({ orgId: orgA, page: 2 });
    expect(second.items.map((item) => item.params.camera)).toEqual(["Gate 5", "Gate 4", "Gate 3", "Gate 2", "Gate 1"]);
    expect(await me.notifications.unreadCount({ orgId: orgA })).toEqual({ unread: 25 });

    const opened = first.items[0]?.id as string;
    const read = await me.notifications.markRead({ orgId: orgA, notificationId: opened });
    expect(read.readAt).toBeInstanceOf(Date);
    // Marking it again keeps the first time.
    expect((await me.notifications.markRead({ orgId: orgA, notificationId: opened })).readAt).toEqual(read.readAt);
    expect(await me.notifications.unreadCount({ orgId: orgA })).toEqual({ unread: 24 });
    expect((await me.notifications.list({ orgId: orgA, unreadOnly: true })).total).toBe(24);
    expect(await me.notifications.markAllRead({ orgId: orgA })).toEqual({ marked: 24 });
    expect(await me.notifications.unreadCount({ orgId: orgA })).toEqual({ unread: 0 });
    // The operator got the same events (bell only); theirs are untouched.
    expect(await api(operatorA).notifications.unreadCount({ orgId: orgA })).toEqual({ unread: 25 });
  });

  it("answers another tenant's notification as not found, leaves a colleague's alone, and changes nothing", async () => {
    await createNotifications(testDb.db, outage(orgB, siteB, 1));
    const [theirs] = await idsOf(managerB.userId);
    const [colleague] = await idsOf(operatorA.userId);
    const before = await databaseDigest(testDb.db);
    const me = api(managerA);
    for (const notificationId of [theirs, randomUUID()]) {
      await expect(
        me.notifications.markRead({ orgId: orgA, notificationId: notificationId as string }),
      ).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    // A colleague's stays unread: nothing of the caller's had that id.
    expect(await me.notifications.markRead({ orgId: orgA, notificationId: colleague as string })).toEqual({
      marked: false,
      readAt: null,
    });
    await expect(me.notifications.list({ orgId: orgB })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(me.notifications.markAllRead({ orgId: orgB })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      me.notifications.savePreference({
        orgId: orgA,
        kind: "camera_offline",
        inApp: true,
        email: "daily",
        siteId: siteB,
      }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await databaseDigest(testDb.db)).toEqual(before);
    // Nobody of A sees B's.
    expect((await me.notifications.list({ orgId: orgA })).items.some((item) => item.id === theirs)).toBe(false);
  });

  it("shows each role's defaults and stores a member's choice, for all sites or one", async () => {
    const manager = await api(managerA).notifications.preferences({ orgId: orgA });
    expect(manager.sites.map((s) => s.name)).toEqual(["Garden", "Harbour"]);
    expect(manager.kinds.find((k) => k.kind === "camera_offline")).toEqual({
      kind: "camera_offline",
      scope: "site",
      inApp: true,
      email: "instant",
      siteId: null,
      isDefault: true,
    });
    const auditor = await api(auditorA).notifications.preferences({ orgId: orgA });
    expect(auditor.kinds.find((k) => k.kind === "camera_offline")).toMatchObject({ email: "off", inApp: true });
    // Requests are for operators and up.
    expect(auditor.kinds.map((k) => k.kind)).not.toContain("request_received");
    await expect(
      api(auditorA).notifications.savePreference({
        orgId: orgA,
        kind: "request_received",
        inApp: true,
        email: "instant",
        siteId: null,
      }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      api(managerA).notifications.savePreference({
        orgId: orgA,
        kind: "filing_threshold",
        inApp: true,
        email: "instant",
        siteId: siteA,
      }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });

    await api(managerA).notifications.savePreference({
      orgId: orgA,
      kind: "camera_online",
      inApp: true,
      email: "daily",
      siteId: siteA2,
    });
    const saved = await api(managerA).notifications.preferences({ orgId: orgA });
    expect(saved.kinds.find((k) => k.kind === "camera_online")).toMatchObject({
      inApp: true,
      email: "daily",
      siteId: siteA2,
      isDefault: false,
    });
    const stored = await testDb.db
      .select({
        siteId: notificationPreferences.siteId,
        inApp: notificationPreferences.inApp,
        email: notificationPreferences.email,
      })
      .from(notificationPreferences)
      .where(
        and(eq(notificationPreferences.userId, managerA.userId), eq(notificationPreferences.kind, "camera_online")),
      );
    expect(stored).toEqual(
      expect.arrayContaining([
        { siteId: null, inApp: false, email: "off" },
        { siteId: siteA2, inApp: true, email: "daily" },
      ]),
    );
    const [entry] = await testDb.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "notification.preference.save"), eq(auditLog.targetId, managerA.userId)));
    expect(entry?.details).toMatchObject({ kind: "camera_online", email: "daily", siteId: siteA2 });

    // Restricted to Garden: an outage at Harbour no longer reaches them, one at Garden does.
    const harbour = await createNotifications(testDb.db, { ...outage(orgA, siteA, 1), kind: "camera_online" });
    const garden = await createNotifications(testDb.db, { ...outage(orgA, siteA2, 1), kind: "camera_online" });
    expect(harbour.map((row) => row.userId)).not.toContain(managerA.userId);
    expect(garden.find((row) => row.userId === managerA.userId)?.email).toBe("daily");
  });

  it("hides what a member turned off from the bell, and shows it again when turned back on", async () => {
    const me = api(operatorA);
    const before = await me.notifications.unreadCount({ orgId: orgA });
    await me.notifications.savePreference({
      orgId: orgA,
      kind: "camera_offline",
      inApp: false,
      email: "instant",
      siteId: null,
    });
    const hidden = await me.notifications.list({ orgId: orgA });
    expect(hidden.items.some((item) => item.kind === "camera_offline")).toBe(false);
    expect((await me.notifications.unreadCount({ orgId: orgA })).unread).toBeLessThan(before.unread);
    // Mail only: the row is still made, for the mail to go out.
    const created = await createNotifications(testDb.db, outage(orgA, siteA, 99));
    expect(created.find((row) => row.userId === operatorA.userId)?.email).toBe("instant");
    await me.notifications.savePreference({
      orgId: orgA,
      kind: "camera_offline",
      inApp: true,
      email: "off",
      siteId: null,
    });
    expect((await me.notifications.unreadCount({ orgId: orgA })).unread).toBe(before.unread + 1);
  });

  it("tells operators and up of a verified portal request, and mails the requester the status link", async () => {
    const portal = recordingPortal();
    const visitor = callerFor(testDb.db, null, undefined, undefined, portal);
    const email = `${unique("person")}@example.cn`;
    const { requestId } = await visitor.portal.submit({ siteId: siteA, type: "deletion", email });
    const verified = await visitor.portal.verify({ requestId, code: lastCodeSentTo(portal, email) });
    const rows = await testDb.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.kind, "request_received"), eq(notifications.targetId, requestId)));
    expect(rows.map((row) => row.userId).sort()).toEqual([managerA.userId, operatorA.userId].sort());
    expect(rows[0]?.params).toEqual({
      reference: verified.reference,
      type: "deletion",
      site: "Harbour",
      dueAt: verified.dueAt?.toISOString(),
    });
    expect(JSON.stringify(rows)).not.toContain(email);
    const mail = portal.sent.at(-1);
    expect(mail?.to).toBe(email);
    expect(mail?.subject).toBe(`Consentry 请求已受理 / request received: ${verified.reference}`);
    expect(mail?.text).toContain(
      `/portal/status/${verified.reference}?token=${statusToken(portal.secret, verified.reference)}`,
    );
    const item = (await api(operatorA).notifications.list({ orgId: orgA })).items.find((i) => i.targetId === requestId);
    expect(item?.href).toBe(`/requests/${requestId}`);
  });
});
