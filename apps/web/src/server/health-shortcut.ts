import type { IncomingMessage, ServerResponse } from "node:http";
import { securityHeaders } from "./security-headers";

/**
 * For apps/web/server.ts: answers an anonymous GET /api/health itself from the app's last answer,
 * at most `ttlMs` old, so load balancers and uptime checks polling it never reach Next.js (its
 * proxy and router cost milliseconds of CPU a request; this, microseconds). Anonymous callers
 * see only up or down, which the app's status code says: 200 {"status":"ok"} or 503
 * {"status":"down"}. A request with a cookie or an authorization header (a platform admin, a
 * metrics scraper) always goes to the app, and so does one request per `ttlMs` to refresh the
 * answer (the app caches its report too: ./current-health.ts). Returns true when it answered.
 */
export function healthShortcut({ ttlMs = 1_000, https = false } = {}) {
  let last: { ok: boolean; at: number } | undefined;
  let refreshing = false;
  const headers = {
    ...securityHeaders({ https }),
    "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
    "content-type": "application/json",
    "cache-control": "no-store",
  };
  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if ((req.method !== "GET" && req.method !== "HEAD") || path !== "/api/health") return false;
    if (req.headers.cookie !== undefined || req.headers.authorization !== undefined) return false;
    const fresh = last !== undefined && performance.now() - last.at < ttlMs;
    if (!fresh && !refreshing) {
      // This one goes to the app; its status code is the next answer.
      refreshing = true;
      res.once("close", () => {
        refreshing = false;
        if (res.writableFinished && (res.statusCode === 200 || res.statusCode === 503))
          last = { ok: res.statusCode === 200, at: performance.now() };
      });
      return false;
    }
    if (!last) return false; // the first answer is still on its way: wait for the app, as it does
    const body = JSON.stringify({ status: last.ok ? "ok" : "down" });
    res.writeHead(last.ok ? 200 : 503, { ...headers, "content-length": Buffer.byteLength(body) });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
