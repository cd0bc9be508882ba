import { expect, type Page, test } from "@playwright/test";
import { makeOrganization, makeSite, makeUser, signIn } from "./support";

const cameraUrl = process.env.E2E_CAMERA_URL as string;

async function trpcMutation(page: Page, path: string, input: unknown) {
  const response = await page.request.post(`/api/trpc/${path}`, { data: { json: input } });
  return { status: response.status(), body: await response.json() };
}

/** Share of sampled canvas pixels that are not black. */
async function litPixelShare(page: Page) {
  return page.getByTestId("live-canvas").evaluate((canvas: HTMLCanvasElement) => {
    const copy = document.createElement("canvas");
    copy.width = 64;
    copy.height = 48;
    const context = copy.getContext("2d") as CanvasRenderingContext2D;
    context.drawImage(canvas, 0, 0, 64, 48);
    const { data } = context.getImageData(0, 0, 64, 48);
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0) > 60) lit++;
    return lit / (data.length / 4);
  });
}

test("a manager adds a camera, sees it go online and watches it live; another organisation is refused", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const org = await makeOrganization();
  await makeSite(org.id, "Camera Test Plaza");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/cameras");
  await page.getByRole("button", { name: "Add camera" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("North gate");
  await dialog.getByLabel("Site").selectOption({ label: "Camera Test Plaza" });
  await dialog.getByLabel("RTSP address").fill("file:///etc/passwd");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("Use an rtsp:// or rtsps:// address.")).toBeVisible();
  await dialog.getByLabel("Location").selectOption("public_toilet");
  await dialog.getByLabel("RTSP address").fill(cameraUrl);
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("CN-CAM-01: no camera may be installed in a private space.")).toBeVisible();
  await dialog.getByLabel("Location").selectOption("entrance");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();

  await page.getByRole("link", { name: "North gate" }).click();
  await expect(page.getByTestId("camera-status")).toHaveText("Online", { timeout: 30_000 });
  await expect(page.getByTestId("status-event").first()).toContainText("Online");

  await page.getByRole("button", { name: "Watch live" }).click();
  await expect.poll(() => litPixelShare(page), { timeout: 20_000 }).toBeGreaterThan(0.2);
  const cameraId = page.url().split("/").pop() as string;

  // Another organisation's manager: no ticket from the API, and their own ticket does not open our camera.
  const other = await browser.newPage();
  const otherOrg = await makeOrganization();
  await makeSite(otherOrg.id, "Other Plaza");
  await signIn(other, (await makeUser({ orgId: otherOrg.id, role: "manager" })).email);
  expect((await trpcMutation(other, "cameras.liveViewToken", { orgId: otherOrg.id, cameraId })).status).toBe(404);
  expect((await trpcMutation(other, "cameras.liveViewToken", { orgId: org.id, cameraId })).status).toBe(403);
  const placements = await other.request.get(
    `/api/trpc/cameras.placements?input=${encodeURIComponent(JSON.stringify({ json: { orgId: otherOrg.id } }))}`,
  );
  const otherSiteId = (await placements.json()).result.data.json[0].id as string;
  const ownCamera = await trpcMutation(other, "cameras.create", {
    orgId: otherOrg.id,
    name: "Their camera",
    siteId: otherSiteId,
    entryPointId: null,
    locationType: "lobby",
    frEnabled: false,
    analysisFps: 2,
    rtspUrl: cameraUrl,
  });
  const ownTicket = await trpcMutation(other, "cameras.liveViewToken", {
    orgId: otherOrg.id,
    cameraId: ownCamera.body.result.data.json.id,
  });
  const stolenUrl = (ownTicket.body.result.data.json.url as string).replace(
    ownCamera.body.result.data.json.id,
    cameraId,
  );
  await other.goto("/cameras");
  const outcome = await other.evaluate(
    (url) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(url);
        socket.onopen = () => resolve("opened");
        socket.onerror = () => resolve("refused");
      }),
    stolenUrl,
  );
  expect(outcome).toBe("refused");
  await other.close();
});

test("a manager imports cameras from CSV: bad rows are shown and nothing is saved until all are right", async ({
  page,
}) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Import Plaza");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/cameras/import");
  const header = "name,site_code,entry_point,location_type,fr_enabled,analysis_fps,rtsp_url";
  const bad = [
    header,
    `Lobby 1,${siteCode},,lobby,no,2,rtsp://10.0.0.1/a`,
    `Lobby 2,S-NOPE00,,lobby,no,2,rtsp://10.0.0.1/b`,
  ].join("\n");
  await page
    .getByLabel("CSV file")
    .setInputFiles({ name: "cameras.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
  await page.getByRole("button", { name: "Check file" }).click();
  await expect(page.getByText("1 row has problems")).toBeVisible();
  await expect(page.getByTestId("import-row").nth(1)).toContainText(
    "No active site with this code in your organisation.",
  );
  await expect(page.getByRole("button", { name: /Import \d+ cameras/ })).toHaveCount(0);

  const good = [
    header,
    `Lobby 1,${siteCode},,lobby,no,2,rtsp://10.0.0.1/a`,
    `Lobby 2,${siteCode},,lobby,no,2,rtsp://10.0.0.1/b`,
  ].join("\n");
  await page
    .getByLabel("CSV file")
    .setInputFiles({ name: "cameras.csv", mimeType: "text/csv", buffer: Buffer.from(good) });
  await page.getByRole("button", { name: "Check file" }).click();
  await page.getByRole("button", { name: "Import 2 cameras" }).click();
  await expect(page.getByText("2 cameras imported.")).toBeVisible();
  await page.goto("/cameras");
  await expect(page.getByTestId("camera-row")).toHaveCount(2);
});
