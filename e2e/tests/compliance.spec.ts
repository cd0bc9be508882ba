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

test("a manager records an impact assessment and publishes a notice on the site page", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Records Park");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/sites");
  await page.getByRole("link", { name: "Records Park" }).click();

  await page.getByRole("button", { name: "Record assessment" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Scope").fill("All face-recognition gates");
  await dialog.getByLabel("Approved by").fill("Data protection officer");
  await dialog.getByLabel("Document SHA-256").fill("not-a-hash");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("Enter a SHA-256 hash (64 hex characters).")).toBeVisible();
  await dialog.getByLabel("Document SHA-256").fill("ab".repeat(32));
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Data protection officer")).toBeVisible();

  await page.getByRole("button", { name: "Publish new version" }).click();
  for (const [label, value] of [
    ["Who processes", "Records Park Property Co."],
    ["Purpose", "Entry for residents who choose face recognition"],
    ["Method", "Matching against consenting residents only"],
    ["Retention", "Until moving out, at most one year"],
    ["Rights", "Refuse, withdraw, see, delete"],
    ["Contact", "privacy@records.example.cn"],
  ] as const) {
    await dialog.getByLabel(label, { exact: true }).fill(value);
  }
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByText("Version 1")).toBeVisible();
});

test("a manager adds a child and records consent only with a guardian (CN-FR-05)", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Family Gardens");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/people");
  await page.getByRole("button", { name: "Add person" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Name").fill("小红");
  await dialog.getByLabel("Under 14").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await page.getByTestId("person-row").getByRole("link").click();

  await page.getByRole("button", { name: "Record consent" }).click();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByText("CN-FR-05: a child under 14 needs the consent of a parent or guardian.")).toBeVisible();
  await dialog.getByLabel("Guardian's name").fill("李芳");
  await dialog.getByLabel("Relation").fill("mother");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId("consent-row")).toContainText("Family Gardens");
  await expect(page.getByTestId("consent-row")).toContainText("Active");
});

test("a manager records entry points with and without an alternative to face recognition", async ({ page }) => {
  const org = await makeOrganization();
  await makeSite(org.id, "Gate House");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  await page.goto("/sites");
  await page.getByRole("link", { name: "Gate House" }).click();
  const dialog = page.getByRole("dialog");

  await page.getByRole("button", { name: "Add entry point" }).click();
  await dialog.getByLabel("Name").fill("East gate");
  await dialog.getByLabel("Key card").check();
  await dialog.getByLabel("QR code").check();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();
  await page.getByRole("button", { name: "Add entry point" }).click();
  await dialog.getByLabel("Name").fill("West gate");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog).toBeHidden();

  await expect(page.getByTestId("entry-point-row").filter({ hasText: "East gate" })).toContainText(
    "Key card · QR code",
  );
  await expect(page.getByTestId("entry-point-row").filter({ hasText: "West gate" })).toContainText(
    "None — face recognition is the only way",
  );
});
