import { expect, test } from "@playwright/test";
import { litPixelShare, makeOrganization, makeSite, makeUser, signIn, simCameraUrl, trpcMutation } from "./support";

// Issue #16 point 7: the video-access register. A manager watches a camera live for a stated
// reason and stops; the register (organisation page and the camera's panel) lists the session
// with its reason and an end time reported by the gateway; an auditor reads it; the regulator's
// site page shows counts only. Everything real: web app, gateway, PostgreSQL, camera simulator.

test("a live-view session is listed in the register with its reason and end, and counted for the regulator", async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(120_000);
  const org = await makeOrganization();
  await makeSite(org.id, "Register Plaza", { regionCode: "310106" });
  const manager = await makeUser({ orgId: org.id, role: "manager" });
  await signIn(page, manager.email);
  const placements = await page.request.get(
    `/api/trpc/cameras.placements?input=${encodeURIComponent(JSON.stringify({ json: { orgId: org.id } }))}`,
  );
  const siteId = (await placements.json()).result.data.json[0].id as string;
  const created = await trpcMutation(page, "cameras.create", {
    orgId: org.id,
    name: "Register lobby",
    siteId,
    entryPointId: null,
    locationType: "lobby",
    frEnabled: false,
    analysisFps: 2,
    rtspUrl: simCameraUrl(4, testInfo.retry),
  });
  expect(created.status).toBe(200);
  const cameraId = created.body.result.data.json.id as string;

  await page.goto(`/cameras/${cameraId}`);
  await expect(page.getByTestId("camera-video-access")).toContainText("Nobody has watched live video yet");
  await page.getByRole("button", { name: "Watch live" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Reason").selectOption("security_incident");
  await dialog.getByRole("button", { name: "Open live view" }).click();
  await expect.poll(() => litPixelShare(page), { timeout: 30_000 }).toBeGreaterThan(0.2);
  const panelRow = page.getByTestId("camera-video-access").getByTestId("video-access-row").first();
  await expect(panelRow).toContainText("Watching now", { timeout: 15_000 });
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(panelRow).toContainText("closed by the viewer", { timeout: 15_000 });

  // The organisation's register, as an auditor (the lowest role that reads it).
  const auditorPage = await browser.newPage();
  await signIn(auditorPage, (await makeUser({ orgId: org.id, role: "auditor" })).email);
  await auditorPage.goto("/video-access");
  await expect(auditorPage.getByRole("heading", { name: "Video access register" })).toBeVisible();
  const row = auditorPage.getByTestId("video-access-row").filter({ hasText: "Register lobby" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(manager.email);
  await expect(row.getByTestId("video-access-reason")).toHaveText("Security incident");
  await expect(row.getByTestId("video-access-end")).toBeVisible();
  await expect(row).toHaveAttribute("data-status", "ended");
  // Filtering by another reason hides it.
  await auditorPage.getByLabel("Reason").selectOption("maintenance");
  await auditorPage.getByRole("button", { name: "Filter" }).click();
  await expect(auditorPage.getByText("No sessions match")).toBeVisible();
  await auditorPage.close();

  // The regulator of the site's district: how often, per reason; no viewer, no camera.
  const regulator = await browser.newPage();
  await signIn(regulator, (await makeUser({ jurisdictionCodes: ["310106"] })).email);
  await regulator.goto(`/regulator/sites/${siteId}`);
  const counts = regulator.getByTestId("regulator-video-access");
  await expect(counts).toBeVisible({ timeout: 15_000 });
  const incident = counts.getByTestId("regulator-video-access-row").filter({ hasText: "Security incident" });
  await expect(incident.locator("td").nth(1)).toHaveText("1");
  await expect(incident.locator("td").nth(2)).toHaveText("1");
  await expect(counts).not.toContainText(manager.email);
  await expect(counts).not.toContainText("Register lobby");
  await regulator.close();
});
