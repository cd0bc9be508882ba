import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Whether a scrape may read /api/metrics: a 401 response to send, or null to go on. In
 * production a token is required (packages/env refuses to start without one; this refuses too,
 * should that ever be bypassed). Both sides are hashed first, so the constant-time compare sees
 * equal lengths and the time taken says nothing about the token's length or a matching prefix.
 */
export function refuseMetricsScrape(
  authorization: string | null,
  config: { token: string | undefined; production: boolean },
): Response | null {
  if (!config.token && !config.production) return null;
  const presented = /^Bearer +(\S+)\s*$/i.exec(authorization ?? "")?.[1];
  const ok = Boolean(config.token && presented && timingSafeEqual(digest(presented), digest(config.token)));
  if (ok) return null;
  return new Response("unauthorised\n", {
    status: 401,
    headers: { "WWW-Authenticate": 'Bearer realm="consentry-metrics"', "Cache-Control": "no-store" },
  });
}
