import { MODELS } from "@consentry/vision";
import { expect, test } from "@playwright/test";
import { makeUser, signIn } from "./support";

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
