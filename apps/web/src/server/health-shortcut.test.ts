import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { healthShortcut } from "./health-shortcut";

// A real HTTP server with the shortcut in front of a stand-in for Next.js that counts what reaches it.
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function serve(ttlMs: number, appStatus: () => number) {
  const shortcut = healthShortcut({ ttlMs });
  const reached: string[] = [];
  const http = createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    if (shortcut(req, res, path)) return;
    reached.push(`${req.method} ${path}`);
    const status = appStatus();
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: status === 200 ? "ok" : "down", workers: { ops: 1 } }));
  });
  server = http;
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { headers });
    return { status: response.status, body: await response.json().catch(() => null), headers: response.headers };
  };
  return { reached, get };
}

describe("healthShortcut", () => {
  it("answers anonymous callers from the app's last answer, reaching the app once per ttl", async () => {
    let status = 200;
    const { reached, get } = await serve(300, () => status);
    expect(await get("/api/health")).toMatchObject({ status: 200, body: { status: "ok", workers: { ops: 1 } } });
    for (let i = 0; i < 20; i++) {
      const answer = await get("/api/health");
      expect(answer).toMatchObject({ status: 200, body: { status: "ok" } });
      expect(answer.body).not.toHaveProperty("workers");
      expect(answer.headers.get("cache-control")).toBe("no-store");
      expect(answer.headers.get("x-content-type-options")).toBe("nosniff");
    }
    expect(reached).toEqual(["GET /api/health"]);
    // Down: the next refresh after the ttl carries it, and then every anonymous answer says so.
    status = 503;
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect((await get("/api/health")).status).toBe(503);
    expect(await get("/api/health")).toEqual(expect.objectContaining({ status: 503, body: { status: "down" } }));
    expect(reached).toEqual(["GET /api/health", "GET /api/health"]);
  });

  it("lets callers with a cookie or a bearer token, other paths and other methods through to the app", async () => {
    const { reached, get } = await serve(10_000, () => 200);
    await get("/api/health");
    await get("/api/health", { cookie: "session=x" });
    await get("/api/health", { authorization: "Bearer token" });
    await get("/api/healthz");
    expect(reached).toEqual(["GET /api/health", "GET /api/health", "GET /api/health", "GET /api/healthz"]);
    expect((await get("/api/health", { authorization: "Bearer token" })).body).toHaveProperty("workers");
  });
});
