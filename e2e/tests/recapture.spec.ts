import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { createDatabase, eq, schema } from "@consentry/db";
import { FACES_DIR } from "@consentry/fixtures";
import { JOBS, producerOptions, QUEUE_NAMES } from "@consentry/queue";
import { MODELS } from "@consentry/vision";
import { expect, test } from "@playwright/test";
import { Queue } from "bullmq";
import { makeAssessment, makeConsentingPerson, makeOrganization, makeSite, makeUser, signIn } from "./support";

// Issue #18.1: after a model change, a person whose enrolment photo was not kept needs a new one.
// The real inference worker runs the site's re-enrolment (as it does for every site when it
// starts with a new model), the manager hears of it, finds the person, and enrols them again.

const { db } = createDatabase(process.env.E2E_DATABASE_URL as string, {
  applicationName: "consentry-e2e-recapture",
  max: 1,
});
const queue = new Queue(
  QUEUE_NAMES.enrolment,
  producerOptions(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", process.env.QUEUE_PREFIX),
);
test.afterAll(() => queue.close());

test("a person whose photo was not kept after a model change is flagged, announced and enrolled again", async ({
  page,
}) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Model Change Court");
  await makeAssessment(org.id, siteCode);
  // Its template is of another model ("test-model") and the site keeps no enrolment photo.
  const person = await makeConsentingPerson(org.id, siteCode, 1);
  const { email } = await makeUser({ orgId: org.id, role: "manager" });
  const [site] = await db.select().from(schema.sites).where(eq(schema.sites.code, siteCode));
  await JOBS.reEnrolment.add(queue, { siteId: site?.id as string, modelId: MODELS.embedding.version });

  await signIn(page, email);
  await expect
    .poll(
      async () => {
        await page.goto("/notifications");
        return page.getByTestId("notification-item").filter({ hasText: "Model Change Court" }).count();
      },
      { timeout: 60_000, intervals: [2_000] },
    )
    .toBe(1);
  const item = page.getByTestId("notification-item").filter({ hasText: "Model Change Court" });
  await expect(item).toContainText(
    "1 person at Model Change Court needs a new enrolment photo: the recognition model changed",
  );
  await item.getByRole("link").click();
  await expect(page).toHaveURL(/\/people\?recapture=1$/);
  await expect(page.getByLabel("Only people who need a new photo")).toBeChecked();
  const row = page.getByTestId("person-row").filter({ hasText: person.pseudonym });
  await expect(row).toContainText("Needs a new photo");
  await expect(page.getByTestId("person-row")).toHaveCount(1);

  await row.getByRole("link", { name: person.pseudonym }).click();
  await page.getByLabel("Photos").setInputFiles({
    name: "obama.jpg",
    mimeType: "image/jpeg",
    buffer: await readFile(resolve(FACES_DIR, "obama.jpg")),
  });
  await page.getByRole("button", { name: "Enrol", exact: true }).click();
  await expect(page.getByTestId("enrolment-row")).toContainText("Enrolled", { timeout: 60_000 });

  // The new template replaced the old one: nobody needs a photo any more, and one template is left.
  await page.goto("/people?recapture=1");
  await expect(page.getByText("Nobody needs a new photo.")).toBeVisible();
  await page.goto("/people");
  await expect(page.getByTestId("person-row").filter({ hasText: person.pseudonym }).locator("td").nth(3)).toHaveText(
    "1",
  );
});
