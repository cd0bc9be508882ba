import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { makeOrganization, makeUser, signIn, trpcMutation } from "./support";

test("an auditor reads the organisation's audit log, filters it, opens an entry and exports it", async ({
  page,
  browser,
}) => {
  const org = await makeOrganization();
  const manager = await makeUser({ orgId: org.id, role: "manager" });
  const manager2 = await makeUser({ orgId: org.id, role: "manager" });
  // Changes made through the API are audited; another organisation's changes must never show.
  const other = await makeOrganization();
  const outsider = await makeUser({ orgId: other.id, role: "manager" });
  for (const [user, orgId, name] of [
    [manager.email, org.id, "Audited Plaza"],
    [manager2.email, org.id, "Second Court"],
    [outsider.email, other.id, "Foreign Tower"],
  ] as const) {
    const session = await browser.newPage();
    await signIn(session, user);
    const created = await trpcMutation(session, "sites.create", {
      orgId,
      name,
      address: "1 Audit Road",
      regionCode: "310104",
      kind: "office",
      templateRetentionDays: 365,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    await session.close();
  }

  const auditor = await makeUser({ orgId: org.id, role: "auditor" });
  await signIn(page, auditor.email);
  await page.goto("/sites");
  await page.getByRole("link", { name: "Audit log" }).click();
  await expect(page).toHaveURL(/\/audit-log$/);
  await expect(page.getByTestId("audit-log-chain")).toBeVisible();
  const rows = page.getByTestId("audit-log-row");
  await expect(rows.filter({ hasText: "site.create" })).toHaveCount(2);
  await expect(page.getByText("Foreign Tower")).toHaveCount(0);

  // Filter by actor: only the second manager's entry.
  await page.getByLabel("Actor").fill(manager2.email.slice(0, 12).toUpperCase());
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(manager2.email);
  await rows
    .first()
    .getByText(/^Entry #\d+$/)
    .click();
  await expect(rows.first().locator("pre")).toContainText("Second Court");

  // An action that matches nothing says so.
  await page.getByLabel("Action").fill("camera.");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No entries match")).toBeVisible();

  // Export what the filters show: the first manager's site creation only.
  await page.getByRole("button", { name: "Clear" }).click();
  await page.getByLabel("Actor").fill(manager.email);
  await page.getByLabel("Action").fill("site.create");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(rows).toHaveCount(1);
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const csv = await readFile((await file.path()) ?? "", "utf8");
  expect(csv).toContain("id,at,actor,action,target_type,target_id,details");
  expect(csv).toContain("Audited Plaza");
  expect(csv).not.toContain("Second Court");
  expect(csv).not.toContain("Foreign Tower");
  await expect(page.getByTestId("audit-log-export-note")).toContainText("1 entry exported");
});
