import { publishHeartbeat, removeHeartbeat } from "@consentry/queue";
import { MODELS } from "@consentry/vision";
import { expect, test } from "@playwright/test";
import { Redis } from "ioredis";
import { makeCamera, makeOrganization, makeSite, makeUser, signIn } from "./support";

// One after the other: the falling-behind test publishes a second worker's heartbeat, which the
// first test must not count.
test.describe.configure({ mode: "serial" });

test("an admin sees the inference worker and queue depths; /api/metrics exposes them to Prometheus", async ({
  page,
}) => {
  await signIn(page, (await makeUser({ platformAdmin: true })).email);
  await page.goto("/workers");
  // e2e/run.ts starts one inference worker beside the web app.
  await expect(page.getByTestId("inference-worker")).toHaveCount(1);
  await expect(page.getByTestId("inference-worker")).toContainText(MODELS.embedding.version);
  const enrolment = page.getByTestId("queue-row").filter({ hasText: "enrollment" });
  await expect(enrolment.locator("td").nth(1)).toHaveText("1");

  const metrics = await page.request.get("/api/metrics");
  expect(metrics.status()).toBe(200);
  const text = await metrics.text();
  expect(text).toContain("consentry_up 1");
  expect(text).toMatch(/consentry_queue_workers\{queue="stream-analysis"\} 1/);
  expect(text).toContain("consentry_inference_workers 1");
});

test("a camera that drops more than 1 % of its frames is flagged on the Workers page and in the metrics", async ({
  page,
}) => {
  // The page shows what workers report in their heartbeats: this one is another worker's, as it
  // would publish it, with one camera keeping up and one that cannot.
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Overloaded Plaza");
  const [steady, behind] = [
    await makeCamera(org.id, siteCode, "Steady gate", { frEnabled: false }),
    await makeCamera(org.id, siteCode, "Overloaded gate", { frEnabled: false }),
  ];
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  const id = `e2e-overloaded-${Date.now()}`;
  const camera = (cameraId: string, framesDropped: number, droppedShare: number) => ({
    cameraId,
    fps: 5,
    framesAnalysed: 500,
    framesDropped,
    droppedShare,
    framesUnchanged: 400,
    facesDetected: 0,
    recognitions: 0,
    unknownFaces: 0,
    latencyP50Ms: 40,
    latencyP95Ms: 90,
    since: new Date().toISOString(),
  });
  const at = new Date().toISOString();
  await publishHeartbeat(redis, process.env.QUEUE_PREFIX, {
    id,
    host: "other-host",
    pid: 1,
    startedAt: at,
    at,
    modelId: MODELS.embedding.version,
    maxCameras: 4,
    memoryMb: 300,
    enrolmentsDone: 0,
    cameras: [camera(steady.id, 2, 0.004), camera(behind.id, 120, 0.18)],
  });
  try {
    await signIn(page, (await makeUser({ platformAdmin: true })).email);
    await page.goto("/workers");
    const worker = page.getByTestId("inference-worker").filter({ hasText: id }).locator("..");
    await expect(worker.getByTestId("cameras-falling-behind")).toContainText("1 camera drops more than 1 %");
    const row = (name: string) => worker.getByTestId("analysed-camera").filter({ hasText: name });
    await expect(row("Overloaded gate").getByTestId("dropped-frames")).toHaveText(
      "120 (18% of the last 10 s) Falls behind",
    );
    await expect(row("Steady gate").getByTestId("dropped-frames")).toHaveText("2 (0.4% of the last 10 s)");
    const metrics = await (await page.request.get("/api/metrics")).text();
    expect(metrics).toContain(`consentry_camera_dropped_frame_ratio{camera="${behind.id}",worker="${id}"} 0.18`);
    expect(metrics).toContain(`consentry_camera_frames_unchanged{camera="${behind.id}",worker="${id}"} 400`);
  } finally {
    await removeHeartbeat(redis, process.env.QUEUE_PREFIX, id);
    await redis.quit();
  }
});

test("the queue UI (bull-board) opens for a platform admin", async ({ page }) => {
  await signIn(page, (await makeUser({ platformAdmin: true })).email);
  await page.goto("/admin/queues");
  await expect(page).toHaveTitle(/Consentry queues/);
  // The board's own client fetches the queue list through the same guarded route.
  await expect(page.getByText("stream-analysis").first()).toBeVisible();
  const api = await page.request.get("/admin/queues/api/queues");
  expect(api.status()).toBe(200);
  const names = ((await api.json()) as { queues: { name: string }[] }).queues.map((queue) => queue.name);
  expect(names).toEqual(expect.arrayContaining(["enrollment", "stream-analysis", "dsr-erasure"]));
});

test("the Workers page and the queue UI are for platform admins only", async ({ page }) => {
  await signIn(page, (await makeUser({ jurisdictionCodes: ["310000"] })).email);
  await page.goto("/workers");
  await expect(page.getByTestId("inference-worker")).toHaveCount(0);
  await expect(page.getByTestId("queue-row")).toHaveCount(0);
  expect((await page.request.get("/admin/queues")).status()).toBe(404);
  expect((await page.request.get("/admin/queues/api/queues")).status()).toBe(404);
});
