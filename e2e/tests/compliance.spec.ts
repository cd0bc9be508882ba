import { expect, test } from "@playwright/test";
import { makeCamera, makeConsentingPerson, makeOrganization, makeSite, makeUser, signIn } from "./support";

test("a manager adds a sign covering a camera and the site's signage coverage rises", async ({ page }) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Signage Plaza");
  await makeCamera(org.id, siteCode, "Face gate");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);

  await page.goto("/compliance");
  const row = page.getByTestId("compliance-row").filter({ hasText: "Signage Plaza" });
  await expect(row.getByTestId("coverage-Signage")).toHaveText("0%");
  await expect(row).toContainText("High");

  await row.getByRole("link", { name: "Signage Plaza" }).click();
  await expect(page.getByTestId("rule-group").filter({ hasText: "CN-CAM-02" })).toContainText("Visible signs");

  await page.goto("/sites");
  await page.getByRole("link", { name: "Signage Plaza" }).click();
  await page.getByRole("button", { name: "Add sign" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Where the sign hangs").fill("Main gate, eye level");
  await dialog.getByLabel("Text of the sign").fill("本区域使用人脸识别 Face recognition in use");
  await dialog.getByLabel("Face gate").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("sign-row")).toContainText("Face gate");

  await page.goto("/compliance");
  await expect(
    page.getByTestId("compliance-row").filter({ hasText: "Signage Plaza" }).getByTestId("coverage-Signage"),
  ).toHaveText("100%");
});

test("an operator withdraws a consent and sees the person's templates queued for deletion", async ({ page }) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Consent Court");
  const person = await makeConsentingPerson(org.id, siteCode, 2);
  await signIn(page, (await makeUser({ orgId: org.id, role: "operator" })).email);

  await page.goto("/people");
  const row = page.getByTestId("person-row").filter({ hasText: person.pseudonym });
  await expect(row).toContainText("测试人员");
  await row.getByRole("link", { name: person.pseudonym }).click();
  await expect(page.getByTestId("consent-row")).toContainText("Active");
  page.once("dialog", (prompt) => prompt.accept("Moved away"));
  await page.getByRole("button", { name: "Withdraw" }).click();
  await expect(page.getByText("Consent withdrawn; 2 templates queued for deletion.")).toBeVisible();
  await expect(page.getByTestId("consent-row")).toContainText("Withdrawn");

  await page.goto("/people");
  await expect(page.getByTestId("person-row").filter({ hasText: person.pseudonym }).locator("td").nth(3)).toHaveText(
    "0",
  );
});
