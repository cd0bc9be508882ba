import { expect, test } from "@playwright/test";
import { litPixelShare, makeOrganization, makeSite, makeUser, signIn, simCameraUrl, trpcMutation } from "./support";

// Issue #13 point 6: the gateway ends an open live view when the camera is disabled, and the
// player says why. Everything real: web app, gateway, Redis pub/sub, camera simulator.

test("a viewer watching live is cut off with a clear message when the camera is disabled", async ({
  page,
}, testInfo) => {
  test.setTimeout(90_000);
  const org = await makeOrganization();
  await makeSite(org.id, "Live View Plaza");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  const placements = await page.request.get(
    `/api/trpc/cameras.placements?input=${encodeURIComponent(JSON.stringify({ json: { orgId: org.id } }))}`,
  );
  const siteId = (await placements.json()).result.data.json[0].id as string;
  const created = await trpcMutation(page, "cameras.create", {
    orgId: org.id,
    name: "Lobby live",
    siteId,
    entryPointId: null,
    locationType: "lobby",
    frEnabled: false,
    analysisFps: 2,
    rtspUrl: simCameraUrl(3, testInfo.retry),
  });
  expect(created.status).toBe(200);
  const cameraId = created.body.result.data.json.id as string;

  await page.goto(`/cameras/${cameraId}`);
  await page.getByRole("button", { name: "Watch live" }).click();
  await expect.poll(() => litPixelShare(page), { timeout: 20_000 }).toBeGreaterThan(0.2);

  const disabled = await trpcMutation(page, "cameras.setEnabled", { orgId: org.id, cameraId, enabled: false });
  expect(disabled.status).toBe(200);
  await expect(page.getByText("This camera was disabled.")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole("button", { name: "Watch live" })).toBeVisible();
});
