import { expect, test } from "@playwright/test";
import { makeOrganization, makeSite, makeUser, signIn, snapshotCompliance } from "./support";

test("a manager creates a site and sees it listed; another organisation never sees it", async ({ page, browser }) => {
  const org = await makeOrganization();
  const { email } = await makeUser({ orgId: org.id, role: "manager" });
  await signIn(page, email);
  await page.goto("/sites");
  await expect(page.getByText("No sites yet")).toBeVisible();

  await page.getByRole("button", { name: "New site" }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("Riverside Gardens");
  await dialog.getByLabel("Address").fill("18 Riverside Road, Minhang");
  await dialog.getByLabel("Region code").fill("3101");
  await dialog.getByLabel("Kind").selectOption("residential");
  await dialog.getByRole("button", { name: "Save" }).click();
  // Refused with a field-level message; nothing saved.
  await expect(dialog.getByText("Enter a six-digit region code such as 310101.")).toBeVisible();
  await dialog.getByLabel("Region code").fill("310112");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();

  const row = page.getByTestId("site-row").filter({ hasText: "Riverside Gardens" });
  await expect(row).toBeVisible();
  await expect(row).toContainText("Residential");
  await expect(row).toContainText(/S-[2-9A-Z]{6}/);

  // The same name again is refused beside the name field.
  await page.getByRole("button", { name: "New site" }).first().click();
  await dialog.getByLabel("Name").fill("riverside gardens");
  await dialog.getByLabel("Address").fill("Elsewhere 1");
  await dialog.getByLabel("Region code").fill("310112");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("An active site with this name already exists.")).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("site-row")).toHaveCount(1);

  const other = await browser.newPage();
  const otherOrg = await makeOrganization();
  await makeSite(otherOrg.id, "Their Own Tower");
  await signIn(other, (await makeUser({ orgId: otherOrg.id, role: "manager" })).email);
  await other.goto("/sites");
  await expect(other.getByTestId("site-row")).toHaveText([/Their Own Tower/]);
  await expect(other.getByText("Riverside Gardens")).toHaveCount(0);
  await other.close();
});

test("a manager edits and archives a site; an auditor can only read", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Old Name Plaza");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/sites");
  const row = page.getByTestId("site-row").filter({ hasText: "Old Name Plaza" });
  await row.getByRole("button", { name: "Edit" }).click();
  await page.getByRole("dialog").getByLabel("Name").fill("New Name Plaza");
  await page.getByRole("dialog").getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("site-row")).toHaveText([/New Name Plaza/]);

  page.once("dialog", (confirm) => confirm.accept());
  await page.getByTestId("site-row").getByRole("button", { name: "Archive" }).click();
  await expect(page.getByText("No sites yet")).toBeVisible();
  await page.getByLabel("Show").selectOption("archived");
  await expect(page.getByTestId("site-row")).toHaveText([/New Name Plaza/]);

  const auditor = await page.context().browser()?.newPage();
  if (!auditor) throw new Error("no browser");
  await makeSite(org.id, "Read Only Park");
  await signIn(auditor, (await makeUser({ orgId: org.id, role: "auditor" })).email);
  await auditor.goto("/sites");
  await expect(auditor.getByTestId("site-row")).toHaveText([/Read Only Park/]);
  await expect(auditor.getByRole("button", { name: "New site" })).toHaveCount(0);
  await expect(auditor.getByRole("button", { name: "Edit" })).toHaveCount(0);
  await auditor.close();
});

test("an owner moves a site to another region with a reason; a manager cannot; both regulators see the move", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const org = await makeOrganization("Moving Estates");
  await makeSite(org.id, "Moving Court", { regionCode: "310104" });
  await snapshotCompliance(org.id);

  // A manager edits the site, but its region is read-only and the site page offers no move.
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/sites");
  const row = page.getByTestId("site-row").filter({ hasText: "Moving Court" });
  await row.getByRole("button", { name: "Edit" }).click();
  const form = page.getByRole("dialog");
  await expect(form.getByLabel("Region code")).toHaveAttribute("readonly", "");
  await expect(form.getByText("Only an owner can move the site to another region.")).toBeVisible();
  await form.getByRole("button", { name: "Cancel" }).click();
  await row.getByRole("link", { name: "Moving Court" }).click();
  await expect(page.getByRole("heading", { name: "Region history" })).toBeVisible();
  await expect(page.getByText("The site has never moved to another region.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Move region" })).toHaveCount(0);

  // The owner moves it, with a reason and a confirmation.
  const owner = await browser.newPage();
  await signIn(owner, (await makeUser({ orgId: org.id, role: "owner" })).email);
  await owner.goto(page.url());
  await owner.getByRole("button", { name: "Move region" }).click();
  const dialog = owner.getByRole("dialog");
  await dialog.getByLabel("New region code").fill("330106");
  await dialog.getByLabel("Reason for the move").fill("Management office relocated to Hangzhou");
  const submit = dialog.getByRole("button", { name: "Move region" });
  await expect(submit).toBeDisabled();
  await dialog.getByLabel("I understand that both regulators will see this move.").check();
  await submit.click();
  await expect(dialog).toBeHidden();
  const change = owner.getByTestId("region-change-row");
  await expect(change).toHaveCount(1);
  await expect(change).toContainText("310104");
  await expect(change).toContainText("330106");
  await expect(change).toContainText("Management office relocated to Hangzhou");
  await expect(owner.getByText("Region now: 330106")).toBeVisible();
  await owner.close();

  // Both regulators see the move; the old one keeps the site's page, marked as moved out.
  for (const [codes, direction] of [
    [["310000"], "Moved out"],
    [["330000"], "Moved in"],
  ] as const) {
    const regulator = await browser.newPage();
    await signIn(regulator, (await makeUser({ jurisdictionCodes: [...codes] })).email);
    await regulator.goto("/regulator");
    const move = regulator.getByTestId("regulator-move-row").filter({ hasText: "Moving Court" });
    await expect(move).toContainText("Moving Estates");
    await expect(move).toContainText("310104 → 330106");
    await expect(move).toContainText(direction);
    await expect(move).toContainText("CN-SITE-01");
    if (direction === "Moved out") {
      await move.getByRole("link", { name: "Moving Court" }).click();
      await expect(regulator.getByText(/This site moved out of your jurisdiction on/)).toBeVisible();
    }
    await regulator.close();
  }
  const unrelated = await browser.newPage();
  await signIn(unrelated, (await makeUser({ jurisdictionCodes: ["110000"] })).email);
  await unrelated.goto("/regulator");
  await expect(unrelated.getByText("No site has moved into or out of your jurisdiction.")).toBeVisible();
  await unrelated.close();
});
