import { expect, test } from "@playwright/test";
import { mailsTo, makeOrganization, makeUser, PASSWORD } from "./support";

const resetLinkFor = async (email: string) => {
  const mails = await mailsTo(email);
  const mail = mails.find((m) => m.subject.includes("reset your password"));
  return /https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/.exec(mail?.text ?? "")?.[0] ?? "";
};

test("a user who forgot the password gets a link by mail, sets a new one and signs in with it", async ({ page }) => {
  const { email } = await makeUser({ orgId: (await makeOrganization()).id, role: "manager" });
  const newPassword = "a fresh e2e passphrase";

  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Forgot password?" }).click();
  await expect(page.getByRole("heading", { name: "Reset your password" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send link" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "If an account exists for this address, we have sent a link." }),
  ).toBeVisible();

  await expect.poll(() => resetLinkFor(email)).toContain("/reset-password?token=");
  const link = await resetLinkFor(email);
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("New password again").fill("not the same one");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "differ" })).toHaveText(
    "The two passwords differ. Type the same password twice.",
  );
  await page.getByLabel("New password again").fill(newPassword);
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page).toHaveURL(/\/sign-in\?reset=done$/);
  await expect(page.getByRole("alert").filter({ hasText: "Your password has been changed" })).toBeVisible();

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email" })).toBeVisible();
  await page.getByLabel("Password").fill(newPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/home$/);

  // The link worked once: opened again, it says so and offers a new one.
  await page.goto(link);
  await expect(page.getByRole("alert").filter({ hasText: "This link has already been used" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Send link" })).toBeVisible();
});

test("an unknown address gets the same answer", async ({ page }) => {
  await page.goto("/reset-password");
  await page.getByLabel("Email").fill(`nobody-${Date.now()}@test.consentry.local`);
  await page.getByRole("button", { name: "Send link" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: "If an account exists for this address, we have sent a link." }),
  ).toBeVisible();
});

test("a signed-out visit to a page goes to sign-in and back to that page", async ({ page }) => {
  const { email } = await makeUser({ orgId: (await makeOrganization()).id, role: "manager" });
  await page.goto("/sites");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsites$/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/sites$/);
  await expect(page.getByRole("heading", { name: "Sites" })).toBeVisible();
});

test("a target on another host is ignored: signing in lands on the dashboard", async ({ page, baseURL }) => {
  const { email } = await makeUser({ orgId: (await makeOrganization()).id, role: "manager" });
  await page.goto("/sign-in?next=//evil.example");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${baseURL}/home`);
});
