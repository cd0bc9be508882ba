import { expect as baseExpect, test } from "@playwright/test";
import { makeOrganization, makeUser, PASSWORD, signIn } from "./support";

// Each step waits on a password hash or a page render; on a loaded machine those take seconds.
const expect = baseExpect.configure({ timeout: 30_000 });
test.describe.configure({ timeout: 180_000 });

test("a user changes the password in the profile, past the policy, and the other device is signed out", async ({
  page,
  browser,
}) => {
  const { email } = await makeUser({ orgId: (await makeOrganization()).id, role: "operator" });
  const phone = await browser.newPage();
  await signIn(phone, email);
  await signIn(page, email);

  await page.goto("/sites");
  await page.getByTestId("signed-in-as").click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByTestId("profile-email")).toHaveText(email);
  await expect(page.getByTestId("session-row")).toHaveCount(2);
  await expect(page.getByTestId("session-row").filter({ hasText: "This device" })).toHaveCount(1);

  const change = async (newPassword: string, again = newPassword) => {
    await page.getByLabel("Current password").fill(PASSWORD);
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("New password again").fill(again);
    await page.getByRole("button", { name: "Change password" }).click();
  };
  await change("password123");
  await expect(page.getByRole("alert").filter({ hasText: "leaked" })).toBeVisible();
  const localPart = email.split("@")[0] as string;
  await change(`${localPart}-2026`);
  await expect(page.getByRole("alert").filter({ hasText: "must not contain your email" })).toBeVisible();
  await change("short");
  await expect(page.getByRole("alert").filter({ hasText: "too short" })).toBeVisible();
  await change("a new e2e passphrase", "another one");
  await expect(page.getByRole("alert").filter({ hasText: "differ" })).toBeVisible();

  await change("a new e2e passphrase");
  await expect(page.getByRole("alert").filter({ hasText: "Your password has been changed" })).toBeVisible();
  await expect(page.getByTestId("session-row")).toHaveCount(1);

  // The phone's session ended: its next page is the sign-in, where only the new password works.
  await phone.goto("/sites");
  await expect(phone).toHaveURL(/\/sign-in/);
  await phone.getByLabel("Email").fill(email);
  await phone.getByLabel("Password").fill(PASSWORD);
  await phone.getByRole("button", { name: "Sign in" }).click();
  await expect(phone.getByRole("alert").filter({ hasText: "Wrong email" })).toBeVisible();
  await phone.getByLabel("Password").fill("a new e2e passphrase");
  await phone.getByRole("button", { name: "Sign in" }).click();
  await expect(phone).toHaveURL(/\/sites$/);
  await phone.close();
});

test("a user signs another session out from the profile, one by one or all at once", async ({ page, browser }) => {
  const { email } = await makeUser({ platformAdmin: true });
  const laptop = await browser.newPage();
  const tablet = await browser.newPage();
  await signIn(laptop, email);
  await signIn(tablet, email);
  await signIn(page, email);

  await page.goto("/profile");
  const rows = page.getByTestId("session-row");
  await expect(rows).toHaveCount(3);
  await rows.filter({ hasNotText: "This device" }).first().getByRole("button", { name: "Sign out" }).click();
  await expect(rows).toHaveCount(2);

  await page.getByRole("button", { name: /Sign out everywhere else/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Sign them out" }).click();
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText("This device");

  for (const other of [laptop, tablet]) {
    await other.goto("/organizations");
    await expect(other).toHaveURL(/\/sign-in/);
    await other.close();
  }
  await page.goto("/organizations");
  await expect(page).toHaveURL(/\/organizations$/);
});
