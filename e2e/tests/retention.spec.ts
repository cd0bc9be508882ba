import { createDatabase, eq, schema } from "@consentry/db";
import { expect, type Page, test } from "@playwright/test";
import { makeOrganization, makeSite, makeUser, signIn, trpcMutation } from "./support";

// Issue #15: a site's Retention panel shows what is kept and for how long, when the job runs next
// and what it deleted there; owners change a period in place, confirming before they shorten one.

const { db } = createDatabase(process.env.E2E_DATABASE_URL as string, { applicationName: "consentry-e2e", max: 1 });

async function siteIdOf(code: string) {
  const [site] = await db.select({ id: schema.sites.id }).from(schema.sites).where(eq(schema.sites.code, code));
  return site?.id as string;
}

async function openSite(page: Page, name: string) {
  await page.goto("/sites");
  await page.getByTestId("site-row").filter({ hasText: name }).getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name: "Retention", exact: true })).toBeVisible();
}

const row = (page: Page, kind: string) => page.locator(`[data-testid="retention-row"][data-kind="${kind}"]`);

test("an owner sees the retention policy in both languages and shortens a period with confirmation", async ({
  page,
}) => {
  test.setTimeout(120_000);
  const org = await makeOrganization();
  const code = await makeSite(org.id, "Retention Court");
  // A run that stopped half-way at this site (the ops worker's own runs may sit beside it).
  await db.insert(schema.retentionRuns).values({
    startedAt: new Date(Date.now() - 60_000),
    finishedAt: new Date(Date.now() - 50_000),
    status: "interrupted",
    counts: { [await siteIdOf(code)]: { recognition_events: 42, enrolment_photos: 2 } },
  });
  const owner = await makeUser({ orgId: org.id, role: "owner" });
  await signIn(page, owner.email);
  await openSite(page, "Retention Court");

  const panel = page.getByTestId("retention-panel");
  await expect(page.getByTestId("retention-row")).toHaveCount(8);
  await expect(row(page, "templates")).toContainText("365 days after last use");
  await expect(row(page, "recognition_events").getByTestId("retention-period")).toHaveText("30 days");
  await expect(row(page, "enrolment_photos").getByTestId("retention-period")).toHaveText("At once");
  await expect(row(page, "unverified_requests")).toContainText("Requests whose code was never entered.");
  await expect(page.getByTestId("retention-next-run")).toContainText("Next run:");
  await expect(panel).toContainText("refused at enrolment");
  const interrupted = page.getByTestId("retention-run-row").filter({ hasText: "Recognition events: 42" });
  await expect(interrupted).toContainText("Interrupted");
  await expect(interrupted).toContainText("Enrolment photos: 2");

  await page.getByLabel("Language").selectOption("zh-CN");
  await expect(page.getByRole("heading", { name: "保存期限", exact: true })).toBeVisible();
  await expect(row(page, "recognition_events")).toContainText("识别记录");
  await expect(row(page, "recognition_events").getByTestId("retention-period")).toHaveText("30 天");
  await expect(row(page, "enrolment_photos").getByTestId("retention-period")).toHaveText("立即删除");
  await expect(page.getByTestId("retention-next-run")).toContainText("下次运行");
  await expect(page.getByTestId("retention-run-row").filter({ hasText: "识别记录：42" })).toContainText("已中断");
  await page.getByRole("combobox", { name: "语言" }).selectOption("en");
  await expect(page.getByRole("heading", { name: "Retention", exact: true })).toBeVisible();

  // A longer period than the templates' is refused, in words, beside the field.
  await page.getByRole("button", { name: "Change: Enrolment photos" }).click();
  await page.getByLabel("New period for Enrolment photos, in days").fill("400");
  await row(page, "enrolment_photos").getByRole("button", { name: "Save" }).click();
  await expect(row(page, "enrolment_photos")).toContainText(
    "Enrolment photos may be kept for re-enrolment at most as long as the templates made from them.",
  );
  await row(page, "enrolment_photos").getByRole("button", { name: "Cancel" }).click();
  await expect(row(page, "enrolment_photos").getByTestId("retention-period")).toHaveText("At once");

  // Shortening asks first: the next run deletes what is now past the period.
  await page.getByRole("button", { name: "Change: Recognition events" }).click();
  await page.getByLabel("New period for Recognition events, in days").fill("7");
  await row(page, "recognition_events").getByRole("button", { name: "Save" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading", { name: "Shorten the period for Recognition events?" })).toBeVisible();
  await expect(dialog).toContainText("From 30 days to 7 days.");
  const submit = dialog.getByRole("button", { name: "Shorten period" });
  await expect(submit).toBeDisabled();
  await dialog
    .getByLabel("I understand that data past the new period will be deleted and cannot be recovered.")
    .check();
  await submit.click();
  await expect(dialog).toBeHidden();
  await expect(row(page, "recognition_events").getByTestId("retention-period")).toHaveText("7 days");
  await expect(row(page, "recognition_events")).toContainText(owner.email);
  await expect(row(page, "unknown_face_counts")).toContainText("Default");

  // Stored and audited, not only shown.
  await page.reload();
  await expect(row(page, "recognition_events").getByTestId("retention-period")).toHaveText("7 days");
  const audit = await db
    .select()
    .from(schema.auditLog)
    .where(eq(schema.auditLog.targetId, await siteIdOf(code)));
  expect(audit.filter((entry) => entry.action === "retention.policy.update")).toMatchObject([
    { actorUserId: owner.userId, details: { kind: "recognition_events", from: 30, to: 7 } },
  ]);
});

test("a manager sees the retention panel read-only and cannot change a period", async ({ page }) => {
  test.setTimeout(90_000);
  const org = await makeOrganization();
  const code = await makeSite(org.id, "Read Only Retention");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await openSite(page, "Read Only Retention");
  await expect(page.getByTestId("retention-row")).toHaveCount(8);
  await expect(row(page, "recognition_events").getByTestId("retention-period")).toHaveText("30 days");
  await expect(page.getByText("Only an owner can change the retention periods.")).toBeVisible();
  await expect(page.getByTestId("retention-panel").getByRole("button", { name: /^Change/ })).toHaveCount(0);

  const refused = await trpcMutation(page, "retention.update", {
    orgId: org.id,
    siteId: await siteIdOf(code),
    kind: "recognition_events",
    days: 1,
  });
  expect(refused.status).toBe(403);
  await page.reload();
  await expect(row(page, "recognition_events").getByTestId("retention-period")).toHaveText("30 days");
});
