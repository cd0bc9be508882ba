/**
 * Headers every response carries, and the Content-Security-Policy of the app's pages. Built per
 * request in src/proxy.ts: the nonce is new each time, and HSTS follows the runtime public URL.
 */

export interface PolicyOptions {
  /** Fresh per request; Next.js puts it on its own scripts when it finds it in the request's CSP. */
  nonce: string;
  /** CONSENTRY_GATEWAY_URL: the live view's WebSocket goes there. */
  gatewayUrl: string;
  /** `next dev`: React's development build needs eval (error stacks, refresh). */
  development: boolean;
  /** Public URL is https: upgrade any stray http sub-request. */
  https: boolean;
}

function directives(entries: Record<string, string[]>): string {
  return Object.entries(entries)
    .map(([name, values]) => [name, ...values].join(" "))
    .join("; ");
}

/**
 * Scripts only with this request's nonce, and whatever those load ('strict-dynamic': Next's
 * chunks, the JSMpeg player imported on demand); 'self' and URLs are ignored by browsers that
 * understand 'strict-dynamic'. 'wasm-unsafe-eval' lets JSMpeg compile its WebAssembly decoder
 * (it allows WebAssembly compilation only, not JavaScript eval). Styles allow 'unsafe-inline':
 * style attributes rendered on the server (React style props, Next's route announcer) cannot
 * carry a nonce, and a nonce in style-src would switch 'unsafe-inline' off; CSS cannot run script.
 */
export function contentSecurityPolicy(options: PolicyOptions): string {
  return directives({
    "default-src": ["'self'"],
    "script-src": [
      "'self'",
      `'nonce-${options.nonce}'`,
      "'strict-dynamic'",
      "'wasm-unsafe-eval'",
      ...(options.development ? ["'unsafe-eval'"] : []),
    ],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'", new URL(options.gatewayUrl).origin],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    ...(options.https ? { "upgrade-insecure-requests": [] } : {}),
  });
}

/**
 * bull-board's page (/admin/queues) loads its own scripts by URL without a nonce, so it gets
 * scripts from 'self' only; it is for platform administrators and renders no user input as HTML.
 * Its Google Fonts stylesheet stays blocked: an admin page should not tell Google who opens it.
 */
export function queueBoardPolicy(options: Pick<PolicyOptions, "https">): string {
  return directives({
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    ...(options.https ? { "upgrade-insecure-requests": [] } : {}),
  });
}

/** The headers besides CSP; HSTS only when the public URL is https (over http browsers ignore it anyway). */
export function securityHeaders(options: { https: boolean }): Record<string, string> {
  return {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    // frame-ancestors 'none' supersedes it; for browsers that predate CSP level 2.
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    ...(options.https ? { "Strict-Transport-Security": "max-age=31536000; includeSubDomains" } : {}),
  };
}
