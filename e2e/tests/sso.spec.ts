/// <reference path="../../packages/auth/src/sso-oidc-provider.d.ts" />
import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { startTestIdp } from "../../packages/auth/src/sso-test-idp";
import { makeOrganization, makeUser, signIn } from "./support";

// Single sign-on (issue #16.5) against a real OIDC provider (oidc-provider) started here on
// 127.0.0.1: the owner sets it up on /security, a colleague signs in through the provider's page.

test("an owner sets up SSO; a colleague signs in through the identity provider and lands in the organisation", async ({
  page,
  browser,
}) => {
  const org = await makeOrganization();
  const owner = await makeUser({ orgId: org.id, role: "owner" });
  const domain = `sso-${randomBytes(3).toString("hex")}.example.cn`;
  const colleague = `mei@${domain}`;
  const redirectUri = `${process.env.E2E_BASE_URL}/api/auth/sso/callback/${org.id}`;
  const clientSecret = randomBytes(16).toString("hex");
  const idp = await startTestIdp({
    clientId: "consentry-e2e",
    clientSecret,
    redirectUris: [redirectUri],
    accounts: { mei: { email: colleague, email_verified: true, name: "Mei Lin", groups: ["staff", "cctv-operators"] } },
  });
  try {
    await signIn(page, owner.email);
    await page.goto("/security");
    await expect(page.getByRole("heading", { name: "Single sign-on (OIDC)" })).toBeVisible();
    await expect(page.getByTestId("sso-redirect-uri")).toHaveText(redirectUri);

    await page.getByLabel("Issuer").fill("http://203.0.113.9/idp");
    await page.getByLabel("Client ID").fill("consentry-e2e");
    await page.getByLabel("Client secret").fill(clientSecret);
    await page.getByLabel("Email domains").fill(domain.toUpperCase());
    await page.getByRole("button", { name: "Add mapping" }).click();
    await page.getByLabel("Claim value").fill("cctv-operators");
    await page.getByLabel("Role", { exact: true }).selectOption("operator");
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("The issuer must use https.", { exact: false })).toBeVisible();

    await page.getByLabel("Issuer").fill(idp.issuer);
    await page.getByRole("button", { name: "Save settings" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await expect(page.getByText("Set", { exact: true })).toBeVisible();
    await expect(page.getByLabel("Email domains")).toHaveValue(domain);
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(page.getByText("discovery works", { exact: false })).toBeVisible();

    // The colleague, signed out in their own browser.
    const context = await browser.newContext({ baseURL: process.env.E2E_BASE_URL });
    const visitor = await context.newPage();
    await visitor.goto(`/sign-in/sso?email=${encodeURIComponent(`someone@elsewhere-${domain}`)}`);
    await visitor.getByRole("button", { name: "Continue" }).click();
    await expect(visitor.getByTestId("sso-error")).toContainText("There is no single sign-on for this domain");
    await expect(visitor.getByTestId("sso-error").getByRole("link", { name: "Sign in with a password" })).toBeVisible();

    await visitor.getByLabel("Work email").fill(colleague);
    await visitor.getByRole("button", { name: "Continue" }).click();
    await expect(visitor).toHaveURL(new RegExp(`^${idp.issuer}/interaction/`));
    await visitor.getByPlaceholder("Enter any login").fill("mei");
    await visitor.getByPlaceholder("and password").fill("anything");
    await visitor.getByRole("button", { name: "Sign-in" }).click();

    await expect(visitor).toHaveURL(/\/home$/);
    await expect(visitor.getByTestId("signed-in-as")).toHaveText(colleague);
    await expect(visitor.getByLabel("Organisation")).toContainText(org.name);
    await context.close();
  } finally {
    await idp.close();
  }
});
