/**
 * Cross-site request forgery check for cookie-authenticated requests. SameSite=Lax keeps the
 * session cookie off other sites' POSTs, but not off a sibling subdomain's (same site, other
 * origin), so every state-changing request must also show it came from one of the app's own pages.
 * The app's origin comes from its configured public URL (BETTER_AUTH_URL), never from the Host
 * header, which a client (or a misconfigured proxy in front) controls.
 */

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Better Auth checks Origin against its own trusted origins (packages/auth), so it is left to that. */
const OWN_CHECK_PATHS = ["/api/auth"];

/**
 * The app's own origins: the public URL, and the same scheme and port reached as localhost or
 * 127.0.0.1 (the same list packages/auth gives Better Auth as trustedOrigins).
 */
export function appOrigins(baseUrl: string): ReadonlySet<string> {
  const url = new URL(baseUrl);
  const origins = new Set([url.origin]);
  for (const host of ["localhost", "127.0.0.1"])
    origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ""}`);
  return origins;
}

export type OriginVerdict = { ok: true } | { ok: false; reason: string };

export interface RequestFacts {
  method: string;
  pathname: string;
  headers: Headers;
}

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * Safe methods pass, and so do Better Auth's own routes. Any other request needs an Origin that
 * is the app's own; a browser that sent no Origin must say `Sec-Fetch-Site: same-origin` or send
 * a Referer from the app. A request with none of these is refused: every browser sends Origin on
 * POST, so only a client that strips it could lack all three.
 */
export function checkRequestOrigin(request: RequestFacts, origins: ReadonlySet<string>): OriginVerdict {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return { ok: true };
  if (OWN_CHECK_PATHS.some((path) => request.pathname === path || request.pathname.startsWith(`${path}/`)))
    return { ok: true };

  const origin = request.headers.get("origin");
  if (origin !== null) {
    return origins.has(origin)
      ? { ok: true }
      : { ok: false, reason: `cross-origin request refused: Origin ${origin} is not this application` };
  }
  const fetchSite = request.headers.get("sec-fetch-site");
  if (fetchSite !== null) {
    return fetchSite === "same-origin"
      ? { ok: true }
      : { ok: false, reason: `cross-origin request refused: Sec-Fetch-Site is ${fetchSite}` };
  }
  const referer = request.headers.get("referer");
  if (referer !== null) {
    const refererOrigin = originOf(referer);
    return refererOrigin !== null && origins.has(refererOrigin)
      ? { ok: true }
      : { ok: false, reason: "cross-origin request refused: Referer is not this application" };
  }
  return {
    ok: false,
    reason: "request refused: no Origin, Sec-Fetch-Site or Referer header shows it came from this application",
  };
}
