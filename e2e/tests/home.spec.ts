import { randomBytes } from "node:crypto";
import { encryptString, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { createDatabase, eq, schema } from "@consentry/db";
import { expect, test } from "@playwright/test";
import { makeOrganization, makeSite, makeUser, PASSWORD, signIn } from "./support";

// Issue #17.1: members land on Home, which lists what needs attention with counts per site and
// links to where it is fixed; an organisation with nothing to do sees the empty state.

const { db } = createDatabase(process.env.E2E_DATABASE_URL as string, {
  applicationName: "consentry-e2e-home",
  max: 1,
});

test("a manager lands on Home, sees an overdue request and an offline camera per site, and follows the link", async ({
  page,
  browser,
}) => {
  const org = await makeOrganization();
  const { email } = await makeUser({ orgId: org.id, role: "manager" });
  const code = await makeSite(org.id, "Harbour View");
  const [site] = await db.select().from(schema.sites).where(eq(schema.sites.code, code));
  const siteId = site?.id as string;
  const reference = `R-HOME-${randomBytes(3).toString("hex").toUpperCase()}`;
  await db.insert(schema.dsrRequests).values({
    orgId: org.id,
    siteId,
    type: "access",
    referenceCode: reference,
    contactHash: `e2e-${reference}`,
    status: "open",
    verifiedAt: new Date(Date.now() - 25 * 86_400_000),
    dueAt: new Date(Date.now() - 2 * 86_400_000),
  });
  // An address that leads nowhere: a probe finds it unreachable, which counts as offline too.
  await db.insert(schema.cameras).values({
    orgId: org.id,
    siteId,
    name: "Harbour gate",
    rtspUrlEnc: encryptString("rtsp://10.255.0.1/gate", RTSP_URL_CONTEXT),
    rtspUrlMasked: "rtsp://10.255.0.1/gate",
    locationType: "entrance",
    status: "offline",
  });

  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();

  const cameras = page.locator('[data-testid="attention-item"][data-kind="camerasOffline"]');
  await expect(cameras.getByRole("heading")).toHaveText("1 camera is offline");
  await expect(cameras.getByTestId("attention-site")).toHaveText(["Harbour View1"]);
  const overdue = page.locator('[data-testid="attention-item"][data-kind="requestsOverdue"]');
  await expect(overdue.getByRole("heading")).toHaveText("1 request is overdue");
  await expect(overdue.getByTestId("attention-site")).toHaveText(["Harbour View1"]);
  await overdue.getByRole("link", { name: "Harbour View" }).click();
  await expect(page).toHaveURL(new RegExp(`/requests\\?overdue=1&site=${siteId}$`));
  await expect(page.getByTestId("request-row").filter({ hasText: reference })).toBeVisible();

  // A member of an organisation with nothing to do sees the empty state.
  const quiet = await browser.newPage();
  await signIn(quiet, (await makeUser({ orgId: (await makeOrganization()).id, role: "auditor" })).email);
  await quiet.goto("/home");
  await expect(quiet.getByTestId("attention-empty")).toContainText("Nothing needs attention");
  await quiet.close();
});
