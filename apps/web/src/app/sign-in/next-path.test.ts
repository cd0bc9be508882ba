import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "~/proxy";
import { safeNextPath, signInPathFor } from "./next-path";

describe("the page to return to after signing in", () => {
  it("keeps a path and its query on this site", () => {
    expect(safeNextPath("/sites")).toBe("/sites");
    expect(safeNextPath("/cameras/abc?tab=health&x=%2F%2Fy")).toBe("/cameras/abc?tab=health&x=%2F%2Fy");
  });

  it.each([
    "//evil.example",
    "//evil.example/sites",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "https://evil.example/sites",
    "javascript:alert(1)",
    "evil.example",
    "sites",
    "",
    "/".padEnd(2001, "a"),
  ])("refuses %j (an open redirect or not a path)", (value) => {
    expect(safeNextPath(value)).toBeNull();
  });

  it("refuses what is not a string", () => {
    expect(safeNextPath(["/sites", "//evil.example"])).toBeNull();
    expect(safeNextPath(undefined)).toBeNull();
  });

  it("builds the sign-in address, without a target for the dashboard itself", () => {
    expect(signInPathFor("/sites?q=a b")).toBe("/sign-in?next=%2Fsites%3Fq%3Da%2520b");
    expect(signInPathFor("/")).toBe("/sign-in");
  });
});

const app = "http://localhost:3000";
const visit = (path: string, headers: Record<string, string> = {}) =>
  proxy(new NextRequest(`${app}${path}`, { headers: { accept: "text/html,application/xhtml+xml", ...headers } }));

describe("proxy: signed-out page visits", () => {
  it("sends a signed-out visit to a dashboard page to sign in, remembering the page", () => {
    const response = visit("/cameras/abc?tab=health");
    expect(response.status).toBe(307);
    expect(response.headers.get("location")).toBe(`${app}/sign-in?next=%2Fcameras%2Fabc%3Ftab%3Dhealth`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(visit("/").headers.get("location")).toBe(`${app}/sign-in`);
  });

  it("drops Next's _rsc parameter from a client-side navigation", () => {
    const response = visit("/sites?_rsc=1x2y", { accept: "*/*", rsc: "1" });
    expect(response.headers.get("location")).toBe(`${app}/sign-in?next=%2Fsites`);
  });

  it("lets a visitor with a session cookie through, and the public pages, API calls and files", () => {
    expect(visit("/sites", { cookie: "better-auth.session_token=abc.def" }).headers.get("x-middleware-next")).toBe("1");
    for (const path of [
      "/sign-in",
      "/reset-password?token=x",
      "/portal",
      "/portal/status/R-1",
      "/dev/mailbox",
      "/favicon.svg",
    ])
      expect(visit(path).headers.get("x-middleware-next"), path).toBe("1");
    const api = proxy(new NextRequest(`${app}/api/trpc/sites.list`, { headers: { accept: "application/json" } }));
    expect(api.headers.get("x-middleware-next")).toBe("1");
  });
});
