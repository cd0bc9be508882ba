import { expect, test } from "@playwright/test";
import { makeOrganization, makeSite, makeUser, signIn, siteIdOf } from "./support";

test("a regulator sees their jurisdiction and gets no access to manager pages", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Shanghai Site In Scope", { regionCode: "310104" });
  await makeSite(org.id, "Hangzhou Site Out Of Scope", { regionCode: "330106" });
  await signIn(page, (await makeUser({ jurisdictionCodes: ["310000"] })).email);

  await page.goto("/");
  await expect(page).toHaveURL(/\/regulator$/);
  await expect(page.getByText("Shanghai Site In Scope")).toBeVisible();
  await expect(page.getByText("Hangzhou Site Out Of Scope")).toHaveCount(0);
  await expect(page.getByRole("navigation", { name: "main" }).getByRole("link")).toHaveText(["Regulator"]);

  for (const path of ["/sites", "/cameras", "/requests", "/workers"]) {
    await page.goto(path);
    await expect(page.getByText("No access")).toBeVisible();
  }
  const api = await page.request.get(
    `/api/trpc/sites.list?input=${encodeURIComponent(JSON.stringify({ json: { orgId: org.id } }))}`,
  );
  expect(api.status()).toBe(403);
});

test("the dashboard speaks Chinese after the language switch, with dates in Shanghai time", async ({ page }) => {
  const org = await makeOrganization();
  // 20:30 UTC on 1 March is already 2 March in Shanghai.
  await makeSite(org.id, "Language Test Tower", { createdAt: new Date("2026-03-01T20:30:00Z") });
  await signIn(page, (await makeUser({ orgId: org.id })).email);
  await page.goto("/sites");
  await expect(page.getByRole("heading", { name: "Sites" })).toBeVisible();
  await expect(page.getByTestId("site-row")).toContainText("Mar 2, 2026");
  await page.getByLabel("Language").selectOption("zh-CN");
  await expect(page.getByRole("heading", { name: "场所" })).toBeVisible();
  await expect(page.getByRole("link", { name: "摄像头", exact: true })).toBeVisible();
  await expect(page.getByTestId("site-row")).toContainText("办公");
  await expect(page.getByTestId("site-row")).toContainText("2026年3月2日");
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
});

test("health tells anyone up or down, and a platform admin its dependencies", async ({ request, page }) => {
  const anonymous = await request.get("/api/health");
  expect(anonymous.status()).toBe(200);
  expect(await anonymous.json()).toEqual({ status: "ok" });

  await signIn(page, (await makeUser({ platformAdmin: true })).email);
  const admin = await page.request.get("/api/health");
  expect(await admin.json()).toMatchObject({ status: "ok", db: "up", redis: "up", version: expect.any(String) });
});

test("a malformed id, another organisation's id and an unknown page say 'not found' in the reader's language", async ({
  page,
}) => {
  const org = await makeOrganization();
  const other = await makeOrganization();
  const theirSite = await makeSite(other.id, "Someone Else's Tower");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);

  await page.goto("/cameras/not-an-id");
  await expect(page.getByTestId("not-found")).toContainText("Page not found");
  await expect(page.getByRole("navigation", { name: "main" })).toBeVisible();
  await expect(page.getByText("invalid_format")).toHaveCount(0);

  await page.goto(`/sites/${await siteIdOf(theirSite)}`);
  await expect(page.getByText("Not found", { exact: true })).toBeVisible();
  await expect(page.getByText("Someone Else's Tower")).toHaveCount(0);
  await page.getByRole("link", { name: "← Sites" }).click();
  await expect(page).toHaveURL(/\/sites$/);

  await page.getByLabel("Language").selectOption("zh-CN");
  // The choice is saved by a server action: wait for the page to come back in Chinese.
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
  await page.goto("/no-such-page");
  await expect(page.getByTestId("not-found")).toContainText("页面不存在");
  await page.goto(`/requests/${crypto.randomUUID()}`);
  await expect(page.getByText("未找到", { exact: true })).toBeVisible();
});
