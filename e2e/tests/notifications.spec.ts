import { encryptString, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { and, createDatabase, eq, isNull, schema } from "@consentry/db";
import { createJobProducer } from "@consentry/queue";
import { expect, test } from "@playwright/test";
import { mailsTo, makeOrganization, makeSite, makeUser, signIn, simCameraUrl } from "./support";

// Issue #17.2: a camera outage reaches its manager in the bell and by one mail (the real ops
// worker probes it and the dev SMTP server receives the mail), then a "back online" follows.

const { db } = createDatabase(process.env.E2E_DATABASE_URL as string, {
  applicationName: "consentry-e2e-notifications",
  max: 1,
});
const jobs = createJobProducer(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", process.env.QUEUE_PREFIX);
test.afterAll(() => jobs.close());

/** The outage mails to `email` (the hourly sweep may mail it about other things too). */
const outageMails = async (email: string) =>
  (await mailsTo(email)).filter((mail) => mail.subject.includes('Camera "Bell gate" at Bell Court has been offline'));
const notificationsOf = (userId: string, cameraId: string) =>
  db
    .select({ kind: schema.notifications.kind, readAt: schema.notifications.readAt })
    .from(schema.notifications)
    .where(and(eq(schema.notifications.userId, userId), eq(schema.notifications.targetId, cameraId)));
const unreadOf = async (userId: string) =>
  (
    await db
      .select({ id: schema.notifications.id })
      .from(schema.notifications)
      .where(and(eq(schema.notifications.userId, userId), isNull(schema.notifications.readAt)))
  ).length;

test("a camera outage shows in the bell and mails the manager once; its return follows", async ({ page }, testInfo) => {
  const org = await makeOrganization();
  const { email, userId } = await makeUser({ orgId: org.id, role: "manager" });
  const code = await makeSite(org.id, "Bell Court");
  const [site] = await db.select().from(schema.sites).where(eq(schema.sites.code, code));
  // Seen until 15 minutes ago and down since 10 (as its history says); its stream path is gone.
  const deadUrl = new URL(process.env.E2E_CAMERA_URL as string);
  deadUrl.pathname = "/no-such-camera";
  const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
  const [camera] = await db
    .insert(schema.cameras)
    .values({
      orgId: org.id,
      siteId: site?.id as string,
      name: "Bell gate",
      rtspUrlEnc: encryptString(deadUrl.toString(), RTSP_URL_CONTEXT),
      rtspUrlMasked: deadUrl.toString(),
      locationType: "entrance",
      status: "offline",
      lastSeenAt: minutesAgo(15),
    })
    .returning();
  const cameraId = camera?.id as string;
  await db.insert(schema.cameraStatusEvents).values([
    { cameraId, status: "online", at: minutesAgo(20) },
    { cameraId, status: "offline", at: minutesAgo(10) },
  ]);

  // The ops worker probes it (the sweep would too, within 30 s) and finds it still down.
  await jobs.probeCamera(cameraId);
  await expect
    .poll(async () => (await notificationsOf(userId, cameraId)).map((n) => n.kind))
    .toEqual(["camera_offline"]);
  await signIn(page, email);
  await page.goto("/notifications");
  await expect(page.getByTestId("notification-count")).toHaveText(String(await unreadOf(userId)));
  const item = page
    .getByTestId("notification-item")
    .filter({ hasText: "Camera “Bell gate” at Bell Court has been offline since" });
  await expect(item).toHaveAttribute("data-unread", "true");

  // One mail, however often it is probed meanwhile.
  await expect.poll(async () => (await outageMails(email)).length, { timeout: 60_000 }).toBe(1);
  await jobs.probeCamera(cameraId);
  const [mail] = await outageMails(email);
  expect(mail?.text).toContain(`/cameras/${cameraId}`);

  // The link opens the camera and marks the notification read.
  await item.getByRole("link").click();
  await expect(page).toHaveURL(new RegExp(`/cameras/${cameraId}$`));
  await expect.poll(async () => (await notificationsOf(userId, cameraId))[0]?.readAt ?? null).not.toBeNull();

  // Its stream is back: the next probe finds it online, and the bell says so.
  await db
    .update(schema.cameras)
    .set({ rtspUrlEnc: encryptString(simCameraUrl(6, testInfo.retry), RTSP_URL_CONTEXT) })
    .where(eq(schema.cameras.id, cameraId));
  await expect
    .poll(
      async () => {
        await jobs.probeCamera(cameraId);
        return (await notificationsOf(userId, cameraId)).map((n) => n.kind).sort();
      },
      { timeout: 60_000, intervals: [3_000] },
    )
    .toEqual(["camera_offline", "camera_online"]);
  await page.goto("/notifications");
  await expect(page.getByTestId("notification-count")).toHaveText(String(await unreadOf(userId)));
  await expect(
    page.getByTestId("notification-item").filter({ hasText: "Camera “Bell gate” at Bell Court is back online" }),
  ).toHaveAttribute("data-unread", "true");
  await expect(item).toHaveAttribute("data-unread", "false");
  expect(await outageMails(email)).toHaveLength(1);
});
