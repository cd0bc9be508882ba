import { expect, test } from "@playwright/test";
import { litPixelShare, makeOrganization, makeSite, makeUser, signIn, simCameraUrl, trpcMutation } from "./support";

// Issue #13 point 6: the gateway ends an open live view when the camera is disabled, and the
// player says why. Issue #16 point 7: the player asks why before any ticket is issued.
// Everything real: web app, gateway, Redis pub/sub, camera simulator.

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
  // No reason, no ticket: the dialog names what is missing, and "other" needs a note.
  const dialog = page.getByRole("dialog", { name: "Why are you opening the live view?" });
  await dialog.getByRole("button", { name: "Open live view" }).click();
  await expect(dialog.getByText("Choose why you open the live view.")).toBeVisible();
  await dialog.getByLabel("Reason").selectOption("other");
  await dialog.getByRole("button", { name: "Open live view" }).click();
  await expect(dialog.getByText("Explain the reason in a few words.")).toBeVisible();
  // The API's own rules reach the dialog too: a control character is refused there.
  await dialog.getByLabel("Note").fill("Lift \u001b check");
  await dialog.getByRole("button", { name: "Open live view" }).click();
  await expect(dialog.getByText("Remove control characters (such as tabs or escape codes).")).toBeVisible();
  await dialog.getByLabel("Note").fill("Checking the lobby after a fire alarm");
  await dialog.getByRole("button", { name: "Open live view" }).click();
  await expect(dialog).toBeHidden();
  await expect.poll(() => litPixelShare(page), { timeout: 20_000 }).toBeGreaterThan(0.2);

  const disabled = await trpcMutation(page, "cameras.setEnabled", { orgId: org.id, cameraId, enabled: false });
  expect(disabled.status).toBe(200);
  await expect(page.getByText("This camera was disabled.")).toBeVisible({ timeout: 10_000 });
  await expect(page.getByRole("button", { name: "Watch live" })).toBeVisible();
  // The camera's register panel: the session, its note, and why it ended.
  const row = page.getByTestId("camera-video-access").getByTestId("video-access-row").first();
  await expect(row).toContainText("Other (explain)", { timeout: 15_000 });
  await expect(row).toContainText("Checking the lobby after a fire alarm");
  await expect(row).toContainText("camera disabled", { timeout: 15_000 });
});
