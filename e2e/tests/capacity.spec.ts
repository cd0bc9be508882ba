import { expect, type Page, test } from "@playwright/test";
import { makeCamera, makeOrganization, makeSite, makeUser, signIn, trpcMutation } from "./support";

// The e2e inference worker analyses E2E_INFERENCE_CAPACITY cameras at once (e2e/run.ts). One
// camera more than that, all with working streams, leaves at least one of them waiting for a
// worker however the other tests and the demo cameras use the slots. The count shown is that of
// the whole installation, so it is at least the number of this organisation's waiting cameras.

const capacity = Number(process.env.E2E_INFERENCE_CAPACITY);
const cameraUrl = process.env.E2E_CAMERA_URL as string;
const LIST_PAGE_SIZE = 25;
const WAITING = /^Waiting for an inference worker \((\d+) cameras? waiting\)$/;

let orgId = "";
let cameraIds: string[] = [];

/** This organisation's waiting cameras on the cameras list, with the installation-wide count shown. */
async function waitingOnList(page: Page) {
  await page.goto("/cameras");
  await expect(page.getByTestId("camera-row")).toHaveCount(Math.min(capacity + 1, LIST_PAGE_SIZE));
  const badges = page.locator('[data-testid="camera-inference"][data-state="waiting"]');
  const texts = await badges.allTextContents();
  const names = await page
    .getByTestId("camera-row")
    .filter({ has: page.locator('[data-testid="camera-inference"][data-state="waiting"]') })
    .getByRole("link")
    .allTextContents();
  return { texts, names };
}

test.afterEach(async ({ page }) => {
  // Frees the slots for the other tests: the worker drops a deleted camera's lease at once.
  for (const cameraId of cameraIds) {
    await trpcMutation(page, "cameras.delete", { orgId, cameraId });
  }
  cameraIds = [];
});

test("cameras beyond the inference capacity are shown waiting for a worker, with how many wait", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  expect(capacity, "E2E_INFERENCE_CAPACITY must be set by e2e/run.ts").toBeGreaterThan(0);
  const org = await makeOrganization();
  orgId = org.id;
  const siteCode = await makeSite(org.id, "Capacity Plaza");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  for (let i = 1; i <= capacity + 1; i++) {
    const camera = await makeCamera(org.id, siteCode, `Capacity cam ${String(i).padStart(2, "0")}`, {
      url: cameraUrl,
      analysisFps: 1,
    });
    cameraIds.push(camera.id);
  }

  // The cameras list: at least one waits, saying how many cameras wait in all.
  let waitingName = "";
  await expect(async () => {
    const { texts, names } = await waitingOnList(page);
    expect(texts.length).toBeGreaterThanOrEqual(1);
    for (const text of texts) {
      const count = Number(text.trim().match(WAITING)?.[1]);
      expect(count).toBeGreaterThanOrEqual(texts.length);
    }
    waitingName = names[0] as string;
  }).toPass({ timeout: 30_000 });

  // Its camera page says so too (retried from the list should the camera have got a slot meanwhile).
  await expect(async () => {
    const { names } = await waitingOnList(page);
    waitingName = names[0] ?? waitingName;
    await page.getByRole("link", { name: waitingName, exact: true }).click();
    // The list has a state badge per row too: look only once the camera page is there.
    await page.waitForURL(/\/cameras\/[0-9a-f-]{36}$/);
    const state = page.getByTestId("camera-inference");
    await expect(state).toHaveAttribute("data-state", "waiting", { timeout: 2000 });
    await expect(state).toHaveText(WAITING);
    await expect(page.getByText("Every inference worker is busy with other cameras.")).toBeVisible();
  }).toPass({ timeout: 30_000 });

  // A platform admin sees the waiting cameras by name on the Workers page, /api/health counts
  // them without reporting an outage, and /api/metrics exports the count.
  const admin = await browser.newPage();
  await signIn(admin, (await makeUser({ platformAdmin: true })).email);
  await expect(async () => {
    await admin.goto("/workers");
    const waiting = Number(await admin.getByTestId("capacity-waiting").getAttribute("data-value"));
    expect(waiting).toBeGreaterThanOrEqual(1);
    const listed = await admin.getByTestId("waiting-camera").allTextContents();
    expect(listed.some((row) => row.includes("Capacity cam") && row.includes(org.name))).toBe(true);
  }).toPass({ timeout: 20_000 });

  const health = await (await admin.request.get("/api/health")).json();
  expect(health.status).toBe("ok");
  expect(health.inference.waiting).toBeGreaterThanOrEqual(1);
  const metrics = await (await admin.request.get("/api/metrics")).text();
  expect(Number(metrics.match(/^consentry_cameras_waiting_for_worker (\d+)$/m)?.[1])).toBeGreaterThanOrEqual(1);
  await admin.close();
});
