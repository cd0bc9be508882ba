import { expect, test } from "@playwright/test";
import { makeOrganization, makeSite, makeUser, signIn } from "./support";

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
