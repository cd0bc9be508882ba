import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, queueBoardPolicy, securityHeaders } from "./security-headers";

function parse(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(";").map((directive) => {
      const [name, ...values] = directive.trim().split(/\s+/);
      return [name as string, values];
    }),
  );
}

const base = { nonce: "bm9uY2U=", gatewayUrl: "wss://live.consentry.example.cn/", development: false, https: true };

describe("contentSecurityPolicy", () => {
  it("allows scripts only by nonce (and what they load), never inline or eval in production", () => {
    const policy = parse(contentSecurityPolicy(base));
    const scripts = policy.get("script-src") ?? [];
    expect(scripts).toContain("'nonce-bm9uY2U='");
    expect(scripts).toContain("'strict-dynamic'");
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    expect(policy.get("default-src")).toEqual(["'self'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'self'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
    expect(policy.get("img-src")).toEqual(["'self'", "data:", "blob:"]);
    expect(policy.has("upgrade-insecure-requests")).toBe(true);
  });

  it("lets the live view reach the gateway's origin and nothing else", () => {
    expect(parse(contentSecurityPolicy(base)).get("connect-src")).toEqual([
      "'self'",
      "wss://live.consentry.example.cn",
    ]);
    const local = parse(contentSecurityPolicy({ ...base, gatewayUrl: "ws://127.0.0.1:3001", https: false }));
    expect(local.get("connect-src")).toEqual(["'self'", "ws://127.0.0.1:3001"]);
    expect(local.has("upgrade-insecure-requests")).toBe(false);
  });

  it("allows eval only under next dev", () => {
    expect(parse(contentSecurityPolicy({ ...base, development: true })).get("script-src")).toContain("'unsafe-eval'");
  });
});

describe("queueBoardPolicy", () => {
  it("runs bull-board's own scripts from 'self' and still forbids framing", () => {
    const policy = parse(queueBoardPolicy({ https: false }));
    expect(policy.get("script-src")).toEqual(["'self'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
  });
});

describe("securityHeaders", () => {
  it("sends HSTS only when the public URL is https", () => {
    expect(securityHeaders({ https: true })["Strict-Transport-Security"]).toBe("max-age=31536000; includeSubDomains");
    expect(securityHeaders({ https: false })).toEqual({
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "strict-origin-when-cross-origin",
      "X-Frame-Options": "DENY",
      "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    });
  });
});
