import { expect, type Page, type Response, test } from "@playwright/test";
import {
  APP_ORIGIN,
  litPixelShare,
  makeCamera,
  makeOrganization,
  makeSite,
  makeUser,
  PASSWORD,
  signIn,
} from "./support";

// Browser hardening (src/proxy.ts): security headers on pages and API responses, a nonce-only
// script policy the app's pages actually run under, and the origin check on state-changing requests.

const cameraUrl = process.env.E2E_CAMERA_URL as string;

/** Records every CSP violation the page reports, from the start of each document. */
async function watchViolations(page: Page) {
  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.exposeFunction("reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) =>
      (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`,
      ),
    );
  });
  return violations;
}

/** Every script tag in the served HTML carries the nonce of the policy it was served with. */
async function expectScriptsCarryNonce(response: Response | null) {
  expect(response).not.toBeNull();
  const policy = (await response?.allHeaders())?.["content-security-policy"] ?? "";
  const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
  expect(nonce, policy).toBeTruthy();
  expect(policy).toContain("'strict-dynamic'");
  expect(policy).not.toContain("'unsafe-inline' 'strict-dynamic'");
  const scripts = (await response?.text())?.match(/<script\b[^>]*>/g) ?? [];
  expect(scripts.length).toBeGreaterThan(0);
  for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
}

test("pages and API responses carry the security headers", async ({ page }) => {
  for (const path of ["/sign-in", "/api/health"]) {
    const response = await page.request.get(path);
    const headers = response.headers();
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["content-security-policy"], path).toContain("object-src 'none'");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["permissions-policy"], path).toBe("camera=(), microphone=(), geolocation=()");
    // The test server's public URL is http: HSTS only goes out over https.
    expect(headers["strict-transport-security"], path).toBeUndefined();
  }
});

test("sign-in, the dashboard, a camera's live view and the regulator console run under the CSP without violations", async ({
  page,
  browser,
}) => {
  test.setTimeout(90_000);
  const violations = await watchViolations(page);
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Hardened Plaza");
  const camera = await makeCamera(org.id, siteCode, "Hardened gate", { url: cameraUrl });
  const { email } = await makeUser({ orgId: org.id, role: "manager" });

  // The form itself: Better Auth's client posts with the page's Origin.
  await expectScriptsCarryNonce(await page.goto("/sign-in"));
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));

  await expectScriptsCarryNonce(await page.goto("/sites"));
  await expect(page.getByRole("link", { name: "Hardened Plaza" })).toBeVisible({ timeout: 30_000 });

  // The live view: JSMpeg (loaded by a nonced script, compiling WebAssembly) over the gateway's WebSocket.
  await expectScriptsCarryNonce(await page.goto(`/cameras/${camera.id}`));
  await page.getByRole("button", { name: "Watch live" }).click();
  // Live view asks why first (the video-access register).
  await page.getByRole("dialog").getByLabel("Reason").selectOption("maintenance");
  await page.getByRole("dialog").getByRole("button", { name: "Open live view" }).click();
  await expect.poll(() => litPixelShare(page), { timeout: 30_000 }).toBeGreaterThan(0.2);
  expect(violations).toEqual([]);

  const regulator = await browser.newPage();
  const regulatorViolations = await watchViolations(regulator);
  await signIn(regulator, (await makeUser({ jurisdictionCodes: ["310101"] })).email);
  await expectScriptsCarryNonce(await regulator.goto("/regulator"));
  await expect(regulator.getByRole("heading").first()).toBeVisible();
  await regulator.waitForLoadState("networkidle");
  expect(regulatorViolations).toEqual([]);
});

test("the public portal runs under the CSP without violations", async ({ page }) => {
  const violations = await watchViolations(page);
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Portal Hardened Gardens");
  await expectScriptsCarryNonce(await page.goto("/portal"));
  // Typing looks the site up through tRPC.
  await page.getByLabel("Site").fill(siteCode);
  await page.getByRole("button", { name: /Portal Hardened Gardens/ }).click();
  await expect(page.getByTestId("chosen-site")).toHaveText("Portal Hardened Gardens");
  expect(violations).toEqual([]);
});

test("a state-changing request with a valid session is refused from another origin and served from the app's own", async ({
  page,
}) => {
  const org = await makeOrganization();
  const siteCode = await makeSite(org.id, "Forgery Plaza");
  const camera = await makeCamera(org.id, siteCode, "Forgery gate");
  await signIn(page, (await makeUser({ orgId: org.id, role: "manager" })).email);
  const mutation = "/api/trpc/cameras.liveViewToken";
  const data = { json: { orgId: org.id, cameraId: camera.id, reason: "maintenance" } };

  const forged = await page.request.post(mutation, { data, headers: { origin: "https://evil.example" } });
  expect(forged.status()).toBe(403);
  expect(await forged.json()).toEqual({
    error: "FORBIDDEN",
    message: "cross-origin request refused: Origin https://evil.example is not this application",
  });
  // A sibling site's page that strips Origin is still told apart by Sec-Fetch-Site.
  const stripped = await page.request.post(mutation, { data, headers: { "sec-fetch-site": "same-site" } });
  expect(stripped.status()).toBe(403);
  // The Host header is the client's to set; it proves nothing.
  const spoofedHost = await page.request.post(mutation, {
    data,
    headers: { origin: "https://evil.example", host: new URL(APP_ORIGIN).host },
  });
  expect(spoofedHost.status()).toBe(403);

  const own = await page.request.post(mutation, { data, headers: { origin: APP_ORIGIN } });
  expect(own.status(), await own.text()).toBe(200);

  // Route handlers outside tRPC too (the enrolment upload), before they read the body.
  const upload = await page.request.post(`/api/people/${camera.id}/enrolments?orgId=${org.id}`, {
    multipart: { photo: { name: "x.jpg", mimeType: "image/jpeg", buffer: Buffer.from("x") } },
    headers: { origin: "https://evil.example" },
  });
  expect(upload.status()).toBe(403);
});

test("the queue board (bull-board) still runs: its own scripts from 'self', no third-party fonts", async ({ page }) => {
  const violations = await watchViolations(page);
  await signIn(page, (await makeUser({ platformAdmin: true })).email);
  const response = await page.goto("/admin/queues");
  expect((await response?.allHeaders())?.["content-security-policy"]).toContain("script-src 'self';");
  await expect(page.getByText("Consentry queues").first()).toBeVisible({ timeout: 20_000 });
  // Its Google Fonts stylesheet is blocked on purpose (src/server/security-headers.ts).
  expect(violations.filter((text) => !text.includes("fonts.googleapis.com"))).toEqual([]);
});
