import { describe, expect, it } from "vitest";
import { appOrigins, checkRequestOrigin } from "./csrf";

const origins = appOrigins("https://consentry.example.cn");
const local = appOrigins("http://localhost:3000");

function post(pathname: string, headers: Record<string, string>, method = "POST") {
  return checkRequestOrigin({ method, pathname, headers: new Headers(headers) }, origins);
}

describe("appOrigins", () => {
  it("is the public origin plus the same port on localhost and 127.0.0.1", () => {
    expect([...local]).toEqual(["http://localhost:3000", "http://127.0.0.1:3000"]);
    expect([...appOrigins("https://consentry.example.cn/")]).toEqual([
      "https://consentry.example.cn",
      "https://localhost",
      "https://127.0.0.1",
    ]);
  });
});

describe("checkRequestOrigin", () => {
  it("lets safe methods through whatever their origin", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"])
      expect(post("/api/trpc/sites.list", { origin: "https://evil.example" }, method)).toEqual({ ok: true });
  });

  it("accepts a state-changing request from the app's own origin", () => {
    expect(post("/api/trpc/sites.create", { origin: "https://consentry.example.cn" })).toEqual({ ok: true });
    expect(
      checkRequestOrigin(
        { method: "POST", pathname: "/api/trpc/x", headers: new Headers({ origin: "http://127.0.0.1:3000" }) },
        local,
      ),
    ).toEqual({ ok: true });
  });

  it("refuses another origin, another port, another scheme and the opaque origin", () => {
    for (const origin of [
      "https://evil.example",
      "https://consentry.example.cn.evil.example",
      "https://sub.consentry.example.cn",
      "http://consentry.example.cn",
      "https://consentry.example.cn:8443",
      "null",
    ]) {
      const verdict = post("/api/trpc/sites.create", { origin });
      expect(verdict.ok, origin).toBe(false);
    }
    expect(post("/api/people/1/enrolments", { origin: "https://evil.example" })).toEqual({
      ok: false,
      reason: "cross-origin request refused: Origin https://evil.example is not this application",
    });
  });

  it("covers every unsafe method and every path but Better Auth's own", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"])
      for (const path of ["/api/trpc/x", "/admin/queues/api/queues/retry", "/portal", "/api/authority", "/sites"])
        expect(post(path, { origin: "https://evil.example" }, method).ok, `${method} ${path}`).toBe(false);
    expect(post("/api/auth/sign-in/email", { origin: "https://evil.example" })).toEqual({ ok: true });
    expect(post("/api/auth", {})).toEqual({ ok: true });
  });

  it("never trusts the Host header", () => {
    const verdict = post("/api/trpc/x", { origin: "https://evil.example", host: "evil.example" });
    expect(verdict.ok).toBe(false);
    expect(post("/api/trpc/x", { host: "consentry.example.cn", "x-forwarded-host": "consentry.example.cn" }).ok).toBe(
      false,
    );
  });

  it("without Origin falls back to Sec-Fetch-Site, then Referer", () => {
    expect(post("/api/trpc/x", { "sec-fetch-site": "same-origin" })).toEqual({ ok: true });
    for (const site of ["same-site", "cross-site", "none"])
      expect(post("/api/trpc/x", { "sec-fetch-site": site }).ok, site).toBe(false);
    // Sec-Fetch-Site decides before Referer: a same-origin Referer cannot launder a cross-site fetch.
    expect(post("/api/trpc/x", { "sec-fetch-site": "cross-site", referer: "https://consentry.example.cn/" }).ok).toBe(
      false,
    );
    expect(post("/api/trpc/x", { referer: "https://consentry.example.cn/sites?x=1" })).toEqual({ ok: true });
    expect(post("/api/trpc/x", { referer: "https://evil.example/consentry.example.cn" }).ok).toBe(false);
    expect(post("/api/trpc/x", { referer: "not a url" }).ok).toBe(false);
  });

  it("refuses a request that shows no origin at all", () => {
    expect(post("/api/trpc/x", {})).toEqual({
      ok: false,
      reason: "request refused: no Origin, Sec-Fetch-Site or Referer header shows it came from this application",
    });
  });
});
