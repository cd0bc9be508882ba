import { expect, test } from "@playwright/test";
import { makeOrganization, makeUser, PASSWORD } from "./support";

test("a wrong password gets a clear error and no session", async ({ page }) => {
  const { email } = await makeUser({ orgId: (await makeOrganization()).id });
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Wrong email" })).toHaveText(
    "Wrong email or password. Check both and try again.",
  );
  await page.goto("/sites");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fsites$/);
});

test("a manager signs in through the form and lands on Home", async ({ page }) => {
  const org = await makeOrganization();
  const { email } = await makeUser({ orgId: org.id, role: "manager" });
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/home$/);
  await expect(page.getByRole("heading", { name: "Home" })).toBeVisible();
  await expect(page.getByTestId("signed-in-as")).toHaveText(email);
  await expect(page.getByLabel("Organisation")).toContainText(org.name);
});

test("signed-out visitors are sent to the sign-in page", async ({ page }) => {
  await page.goto("/cameras");
  await expect(page).toHaveURL(/\/sign-in\?next=%2Fcameras$/);
});

test("repeated wrong passwords lock the account, and the form says so", async ({ page }) => {
  const { email } = await makeUser({ orgId: (await makeOrganization()).id });
  await page.goto("/sign-in");
  const origin = new URL(page.url()).origin;
  // Four wrong passwords over HTTP, the fifth through the form: the account is now locked.
  for (let i = 0; i < 4; i++) {
    const response = await page.request.post("/api/auth/sign-in/email", {
      data: { email, password: `wrong-${i}` },
      headers: { origin },
    });
    expect(response.status()).toBe(401);
  }
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("still-wrong");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "locked" })).toContainText(
    "Too many wrong passwords: this account is locked for a while.",
  );
  // Even the right password is refused while the lock lasts.
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "locked" })).toBeVisible();
  await expect(page).toHaveURL(/\/sign-in$/);
});
