import { createHmac } from "node:crypto";
import { expect as baseExpect, type Page, test } from "@playwright/test";
import { APP_ORIGIN, makeOrganization, makeUser, PASSWORD, signIn } from "./support";

// Each step waits on a password hash or a page render; on a loaded machine those take seconds.
const expect = baseExpect.configure({ timeout: 30_000 });
test.describe.configure({ timeout: 180_000 });

// Codes come from the secret the page shows, computed as an authenticator app does (RFC 6238).

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/[\s=]/g, "").toUpperCase())
    bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => Number.parseInt(byte, 2)));
}

function totp(secret: string, steps = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + steps));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

/** Two-factor turned on over HTTP, as the profile page does it (that page has its own test). */
async function enableOverHttp(page: Page) {
  const enabled = await page.request.post("/api/auth/two-factor/enable", {
    data: { password: PASSWORD },
    headers: { origin: APP_ORIGIN },
  });
  expect(enabled.ok(), await enabled.text()).toBe(true);
  const secret = new URL((await enabled.json()).totpURI).searchParams.get("secret") as string;
  const verified = await page.request.post("/api/auth/two-factor/verify-totp", {
    data: { code: totp(secret) },
    headers: { origin: APP_ORIGIN },
  });
  expect(verified.ok(), await verified.text()).toBe(true);
  return secret;
}

/** The set-up as a person does it: password, the secret into the "app", a code, the backup codes. */
async function setUpInPage(page: Page) {
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Begin set-up" }).click();
  const secret = (await page.getByTestId("totp-secret").textContent()) ?? "";
  await expect(page.getByTestId("totp-uri")).toContainText("otpauth://totp/Consentry");
  await page.getByLabel("Code from the app").fill(totp(secret, 5));
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not right" })).toBeVisible();
  await page.getByLabel("Code from the app").fill(totp(secret));
  await page.getByRole("button", { name: "Turn on two-factor" }).click();
  await expect(page.getByText("Two-factor is on.")).toBeVisible();
  const codes = (await page.getByTestId("backup-codes").locator("li").allTextContents()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  return { secret, codes };
}

async function signInWithPassword(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a user sets up TOTP in the profile; every later sign-in asks for a code or a backup code", async ({
  page,
  browser,
}) => {
  const { email } = await makeUser({ orgId: (await makeOrganization()).id, role: "manager" });
  await signIn(page, email);
  await page.goto("/profile");
  const { secret, codes } = await setUpInPage(page);
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByText("On", { exact: true })).toBeVisible();

  const next = await browser.newPage();
  await signInWithPassword(next, email);
  await expect(next.getByText("Enter the 6-digit code")).toBeVisible();
  // The password alone opened nothing.
  expect((await next.context().cookies()).some((c) => c.name.endsWith("session_token"))).toBe(false);
  await next.getByLabel("Code from the app").fill(totp(secret, -5));
  await next.getByRole("button", { name: "Verify" }).click();
  await expect(next.getByRole("alert").filter({ hasText: "not right" })).toBeVisible();
  await next.getByLabel("Code from the app").fill(totp(secret));
  await next.getByRole("button", { name: "Verify" }).click();
  await expect(next).toHaveURL(/\/home$/);
  await next.close();

  // A backup code works once.
  for (const expected of ["works", "used"] as const) {
    const phoneless = await browser.newPage();
    await signInWithPassword(phoneless, email);
    await phoneless.getByRole("button", { name: "Use a backup code instead" }).click();
    await phoneless.getByLabel("Backup code").fill(codes[0] as string);
    await phoneless.getByRole("button", { name: "Verify" }).click();
    if (expected === "works") await expect(phoneless).toHaveURL(/\/home$/);
    else await expect(phoneless.getByRole("alert").filter({ hasText: "not right" })).toBeVisible();
    await phoneless.close();
  }
});

test("an owner requires two-factor; a member without it is sent to set it up before anything else", async ({
  page,
  browser,
}) => {
  const org = await makeOrganization();
  const owner = await makeUser({ orgId: org.id, role: "owner" });
  const member = await makeUser({ orgId: org.id, role: "operator" });
  await signIn(page, owner.email);
  await enableOverHttp(page);

  await page.goto("/security");
  const policy = page.getByTestId("two-factor-policy");
  await expect(policy).toContainText("Optional");
  await expect(policy).toContainText("1 of 2 active members have no two-factor yet.");
  await page.getByRole("button", { name: "Require two-factor" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("checkbox").check();
  await dialog.getByRole("button", { name: "Require two-factor" }).click();
  await expect(policy).toContainText("Required");

  const memberPage = await browser.newPage();
  await signIn(memberPage, member.email);
  await memberPage.goto("/sites");
  await expect(memberPage).toHaveURL(/\/sign-in\/two-factor-setup/);
  await expect(memberPage.getByRole("heading", { name: "Set up two-factor sign-in" })).toBeVisible();
  await expect(memberPage.getByText(`${org.name} requires two-factor sign-in`)).toBeVisible();
  // Nothing else opens meanwhile.
  await memberPage.goto("/profile");
  await expect(memberPage).toHaveURL(/\/sign-in\/two-factor-setup/);

  await setUpInPage(memberPage);
  await memberPage.getByRole("button", { name: "Continue" }).click();
  await expect(memberPage).toHaveURL(/\/(sites|profile)$/);
  await memberPage.goto("/sites");
  await expect(memberPage.getByRole("heading", { name: "Sites" })).toBeVisible();
  await memberPage.close();

  await page.reload();
  await expect(policy).toContainText("0 of 2 active members have no two-factor yet.");
});
