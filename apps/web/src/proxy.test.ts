import { NextRequest } from "next/server";
import { describe, expect, it, vi } from "vitest";
import { proxy } from "./proxy";

// The proxy as Next.js calls it, with the test environment's BETTER_AUTH_URL (http://localhost:3000).
const app = "http://localhost:3000";

function request(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new NextRequest(`${app}${path}`, init);
}

describe("proxy", () => {
  it("refuses a cross-origin POST to tRPC with 403 and a reason, before any handler runs", async () => {
    const response = proxy(
      request("/api/trpc/sites.create", { method: "POST", headers: { origin: "https://evil.example", cookie: "x=1" } }),
    );
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: "FORBIDDEN",
      message: "cross-origin request refused: Origin https://evil.example is not this application",
    });
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("refuses a POST that claims the app's Host but comes from elsewhere", () => {
    const response = proxy(request("/api/signs/1/evidence", { method: "POST", headers: { host: "localhost:3000" } }));
    expect(response.status).toBe(403);
  });

  it("passes a same-origin POST on, with the security headers", () => {
    const response = proxy(request("/api/trpc/sites.create", { method: "POST", headers: { origin: app } }));
    expect(response.status).toBe(200);
    expect(response.headers.get("x-middleware-next")).toBe("1");
    expect(response.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(response.headers.get("strict-transport-security")).toBeNull(); // http here
  });

  it("gives each page request a fresh nonce, in the response's CSP and in the request Next renders", () => {
    const first = proxy(request("/sites"));
    const second = proxy(request("/sites"));
    const nonce = /'nonce-([^']+)'/.exec(first.headers.get("content-security-policy") ?? "")?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
    // NextResponse.next({ request: { headers } }) hands the overridden request headers to Next this way.
    expect(first.headers.get("x-middleware-request-content-security-policy")).toBe(
      first.headers.get("content-security-policy"),
    );
    expect(first.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
  });

  it("gives bull-board a policy without a nonce, since its scripts carry none", () => {
    const policy = proxy(request("/admin/queues")).headers.get("content-security-policy") ?? "";
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("frame-ancestors 'none'");
  });
});

describe("proxy behind an https public URL", () => {
  it("sends HSTS and upgrades insecure sub-requests, reading BETTER_AUTH_URL when the server starts", async () => {
    vi.resetModules();
    vi.stubEnv("BETTER_AUTH_URL", "https://consentry.example.cn");
    try {
      const { proxy: httpsProxy } = await import("./proxy");
      const response = httpsProxy(new NextRequest("https://consentry.example.cn/sites"));
      expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expect(response.headers.get("content-security-policy")).toContain("upgrade-insecure-requests");
      const forged = httpsProxy(
        new NextRequest("https://consentry.example.cn/api/trpc/x", { method: "POST", headers: { origin: app } }),
      );
      expect(forged.status).toBe(403); // the http development origin is not this deployment
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});
