import { randomBytes } from "node:crypto";
import { env } from "@consentry/env";
import { getSessionCookie } from "better-auth/cookies";
import { type NextRequest, NextResponse } from "next/server";
import { REQUESTED_PATH_HEADER, signInPathFor } from "~/app/sign-in/next-path";
import { appOrigins, checkRequestOrigin } from "~/server/csrf";
import { contentSecurityPolicy, queueBoardPolicy, securityHeaders } from "~/server/security-headers";

// Browser hardening in one place, for every response (pages, /api, /admin/queues): the origin
// check against cross-site request forgery, a per-request CSP nonce, and the fixed security headers.
// Read at run time (not in next.config headers(), which are fixed at build), so HSTS follows the
// deployed BETTER_AUTH_URL.

const https = new URL(env.BETTER_AUTH_URL).protocol === "https:";
const origins = appOrigins(env.BETTER_AUTH_URL);
// biome-ignore lint/style/noProcessEnv: NODE_ENV is set by `next dev`/`next build` themselves, not configuration.
const development = process.env.NODE_ENV === "development";
const QUEUE_BOARD_PATH = "/admin/queues";
// Pages open without a session; any other page sends a signed-out visitor to sign in and back.
const SIGNED_OUT_PREFIXES = [
  "/sign-in",
  "/reset-password",
  "/invite",
  "/portal",
  "/dev",
  "/api",
  QUEUE_BOARD_PATH,
  "/_next",
];

/** A browser asking for a page (a document or a client-side navigation), not an API call or a file. */
function isPageVisit(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (request.method !== "GET" && request.method !== "HEAD") return false;
  if (SIGNED_OUT_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))) return false;
  if (/\.[A-Za-z0-9]+$/.test(pathname)) return false;
  return (request.headers.get("accept") ?? "").includes("text/html") || request.headers.get("rsc") === "1";
}

/** The path and query asked for, without Next's cache-busting parameter of client navigations. */
function askedPath(request: NextRequest) {
  const asked = request.nextUrl.clone();
  asked.searchParams.delete("_rsc");
  return `${asked.pathname}${asked.search}`;
}

/** Signed out (no session cookie): the sign-in page, which returns here. A stale cookie is the layout's to refuse. */
function signInRedirect(request: NextRequest) {
  if (!isPageVisit(request) || getSessionCookie(request)) return null;
  return NextResponse.redirect(new URL(signInPathFor(askedPath(request)), request.url));
}

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const headers = securityHeaders({ https });
  const verdict = checkRequestOrigin({ method: request.method, pathname, headers: request.headers }, origins);
  if (!verdict.ok) return NextResponse.json({ error: "FORBIDDEN", message: verdict.reason }, { status: 403, headers });
  const toSignIn = signInRedirect(request);
  if (toSignIn) {
    for (const [name, value] of Object.entries(headers)) toSignIn.headers.set(name, value);
    return toSignIn;
  }

  const nonce = randomBytes(16).toString("base64");
  const policy =
    pathname === QUEUE_BOARD_PATH || pathname.startsWith(`${QUEUE_BOARD_PATH}/`)
      ? queueBoardPolicy({ https })
      : contentSecurityPolicy({ nonce, gatewayUrl: env.CONSENTRY_GATEWAY_URL, development, https });
  // Next.js reads the nonce from the request's CSP and puts it on its own scripts while rendering.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  requestHeaders.set("x-nonce", nonce);
  // The page asked for, so a server component that redirects (expired session, two-factor set-up)
  // returns to it (src/server/access.ts). Always set here: a copy the client sent is replaced.
  requestHeaders.set(REQUESTED_PATH_HEADER, askedPath(request));
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but Next's hashed static assets (they are served with the right types and no cookies).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
