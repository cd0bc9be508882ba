import { DEMO_PASSWORD, DEMO_RECOGNISED_PERSON } from "@consentry/db/seed";
import { expect, test } from "@playwright/test";

// On the demo world that e2e/run.ts seeds (as `npm run demo` does): the person enrolled from a
// real photo by the real enrolment job is recognised on the clip a seeded camera plays.

test("the demo's recognition feed shows the enrolled person, and the audience only as a count", async ({ page }) => {
  test.setTimeout(150_000);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("manager@huangpu.demo");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));

  await page.goto("/sites");
  await page.getByRole("link", { name: DEMO_RECOGNISED_PERSON.siteName }).click();
  const rows = page.getByTestId("recognition-row");
  // The feed refreshes itself; the worker needs the models, the enrolment and a few frames.
  await expect(rows.first()).toContainText(DEMO_RECOGNISED_PERSON.pseudonym, { timeout: 120_000 });
  // The audience at the end of the clip is only counted; nobody else is ever labelled.
  await expect(async () => {
    await page.reload();
    const unknown = Number(await page.getByTestId("unknown-faces-last-hour").getAttribute("data-count"));
    expect(unknown).toBeGreaterThan(0);
  }).toPass({ timeout: 60_000 });
  for (const text of await rows.allInnerTexts()) expect(text).toContain(DEMO_RECOGNISED_PERSON.pseudonym);
});
