import { randomInt } from "node:crypto";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { stampClientAddress, trustedProxies } from "@consentry/auth/client-address";
import { PORTAL_LIMITS } from "@consentry/core/portal";
import { afterAll, beforeAll, expect, it, vi } from "vitest";

// `server-only` throws outside Next's react-server build; it is a build-time guard, nothing to run.
vi.mock("server-only", () => ({}));
const { portalServices } = await import("./portal");

// The request path of production: a real socket, the web server's stamping (apps/web/server.ts)
// and portalServices counting the portal's per-address submit limit in real Redis. The client
// forges a fresh X-Forwarded-For on every request, as the attack in issue #13 did.
let server: Server;
beforeAll(async () => {
  const trust = trustedProxies("");
  server = createServer(async (req, res) => {
    if (!stampClientAddress(req, trust)) return res.writeHead(400).end();
    const services = portalServices(new Headers(req.headers as Record<string, string>));
    const allowed = await services.limiter.hit(
      `portal-submit-ip:${services.clientIp}`,
      PORTAL_LIMITS.submitPerIp,
      PORTAL_LIMITS.windowSeconds,
    );
    res.writeHead(allowed ? 200 : 429).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

// A loopback source address of this run only, so the key is ours alone.
const source = `127.${randomInt(1, 255)}.${randomInt(1, 255)}.${randomInt(2, 255)}`;
const submit = (forwardedFor: string, headers: Record<string, string> = {}) =>
  new Promise<number>((resolve, reject) => {
    const { port } = server.address() as AddressInfo;
    request({ host: "127.0.0.1", port, localAddress: source, headers: { "x-forwarded-for": forwardedFor, ...headers } })
      .on("response", (res) => resolve(res.resume().statusCode ?? 0))
      .on("error", reject)
      .end();
  });

it("counts submissions per socket address however X-Forwarded-For rotates", async () => {
  const statuses: number[] = [];
  for (let i = 0; i < PORTAL_LIMITS.submitPerIp + 5; i++) statuses.push(await submit(`198.51.100.${i + 1}`));
  expect(statuses.filter((status) => status === 200)).toHaveLength(PORTAL_LIMITS.submitPerIp);
  expect(statuses.at(-1)).toBe(429);
});

it("ignores a client-sent copy of the private client-address header", async () => {
  expect(await submit("198.51.100.200", { "x-consentry-client-ip": "203.0.113.99" })).toBe(429);
});

it("refuses to name an address the web server did not compute", () => {
  expect(() => portalServices(new Headers({ "x-forwarded-for": "198.51.100.1" })).clientIp).toThrow(
    /client address could not be determined/,
  );
});
