import { randomBytes } from "node:crypto";
import { env } from "@consentry/env";
import { type NextRequest, NextResponse } from "next/server";
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

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const headers = securityHeaders({ https });
  const verdict = checkRequestOrigin({ method: request.method, pathname, headers: request.headers }, origins);
  if (!verdict.ok) return NextResponse.json({ error: "FORBIDDEN", message: verdict.reason }, { status: 403, headers });

  const nonce = randomBytes(16).toString("base64");
  const policy =
    pathname === QUEUE_BOARD_PATH || pathname.startsWith(`${QUEUE_BOARD_PATH}/`)
      ? queueBoardPolicy({ https })
      : contentSecurityPolicy({ nonce, gatewayUrl: env.CONSENTRY_GATEWAY_URL, development, https });
  // Next.js reads the nonce from the request's CSP and puts it on its own scripts while rendering.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("Content-Security-Policy", policy);
  requestHeaders.set("x-nonce", nonce);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Everything but Next's hashed static assets (they are served with the right types and no cookies).
  matcher: ["/((?!_next/static|_next/image|favicon.ico).*)"],
};
