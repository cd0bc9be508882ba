import { expect, test } from "@playwright/test";
import { makeCamera, makeConsentingPerson, makeOrganization, makeSite, makeUser, signIn, siteIdOf } from "./support";

// Issue #17.9: in Chinese, no English word may reach the screen. The organisation's own data is
// all Chinese here, so whatever Latin text is left came from the product. Allowed: codes and
// abbreviations (CN-FR-03, P-…, S-…, RTSP, PIPIA, SHA-256), addresses (email, rtsp://) and the name.
const ALLOWED = [
  /\S+@\S+/g, // email addresses
  /\b[a-z]+:\/\/\S+/g, // rtsp:// and other URLs
  /\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b/g, // codes: CN-FR-03, P-EABC, S-ABC123, SHA-256
  /\b[A-Z0-9]{2,6}s?\b/g, // abbreviations: RTSP, PIPIA, CSV, PDF, TOTP, SSO, IPs
  /\S*\w[./_]\w\S*/g, // technical identifiers the reader types: example.com, .well-known/openid-configuration, realm_access.roles
  /\b(?:Consentry|English|Azure|Entra|Okta|Keycloak|Authing|Microsoft|Authenticator|Google|1Password|FreeOTP|Chrome|Firefox|Safari|Edge|Windows|macOS|Linux|Android|iOS|HeadlessChrome)\b/g, // names: ours, the language switch's, products'
  /\b(?:Issuer|userinfo)\b/g, // OpenID Connect's own terms, which the SSO form names beside their Chinese
];

/** Each English word left, with the words around it, so a failure says where to look. */
function englishWords(text: string): string[] {
  const rest = ALLOWED.reduce((left, pattern) => left.replace(pattern, " "), text);
  return [
    ...new Set(
      [...rest.matchAll(/[A-Za-z]{2,}/g)].map((m) =>
        rest.slice(Math.max(0, m.index - 15), m.index + 25).replace(/\s+/g, " "),
      ),
    ),
  ];
}

test("every organisation page speaks Chinese: no English word is rendered in zh-CN", async ({ browser }) => {
  test.setTimeout(300_000);
  const org = await makeOrganization("静安物业");
  const siteCode = await makeSite(org.id, "静安花园", { address: "上海市静安区南京西路1号" });
  const siteId = await siteIdOf(siteCode);
  const camera = await makeCamera(org.id, siteCode, "北门摄像头");
  const person = await makeConsentingPerson(org.id, siteCode, 1);
  const owner = await makeUser({ orgId: org.id, role: "owner" });
  const context = await browser.newContext({ locale: "zh-CN" });
  const page = await context.newPage();
  await signIn(page, owner.email);

  const found: string[] = [];
  for (const path of [
    "/home",
    "/sites",
    `/sites/${siteId}`,
    "/cameras",
    `/cameras/${camera.id}`,
    "/camera-networks",
    "/people",
    `/people/${person.id}`,
    "/compliance",
    `/compliance/${siteId}`,
    "/requests",
    "/audit-log",
    "/video-access",
    "/members",
    "/security",
    "/profile",
  ]) {
    await page.goto(path);
    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    // Wait until the page's data has loaded: no skeleton rows and no "loading" left.
    await expect(page.getByText("加载中")).toHaveCount(0);
    await expect(page.locator(".animate-pulse")).toHaveCount(0);
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, not hidden text or scripts
    const words = englishWords(await page.locator("body").innerText());
    if (words.length > 0) found.push(`${path}: ${words.join(", ")}`);
  }
  expect(found, "English words on zh-CN pages").toEqual([]);
  await context.close();
});
