/** The query parameter that carries the page to return to after signing in. */
export const NEXT_PARAM = "next";

const PROBE_ORIGIN = "http://next-path.invalid";

/**
 * The page to return to after signing in, if `value` is a path on this site; else null.
 * Only "/…" counts: "//host", "/\host", a scheme or a control character (browsers drop tabs and
 * newlines, so "/\t/host" is "//host") would send the user elsewhere — an open redirect.
 */
export function safeNextPath(value: unknown): string | null {
  if (typeof value !== "string" || value.length > 2000) return null;
  if (!value.startsWith("/") || value.startsWith("//")) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return null;
  const url = new URL(value, PROBE_ORIGIN);
  if (url.origin !== PROBE_ORIGIN) return null;
  return `${url.pathname}${url.search}`;
}

/** The sign-in page, remembering `path` (path and query) unless it is the dashboard itself. */
export function signInPathFor(path: string): string {
  const next = safeNextPath(path);
  return next && next !== "/" ? `/sign-in?${NEXT_PARAM}=${encodeURIComponent(next)}` : "/sign-in";
}

/**
 * The request header in which src/proxy.ts hands the page asked for (path and query) to server
 * components, so a sign-in or set-up redirect can return there. The proxy sets it on every page
 * request, replacing any copy the client sent; it is only ever used through `safeNextPath`.
 */
export const REQUESTED_PATH_HEADER = "x-consentry-path";

/** A page on this site with `next` remembered, unless it is the dashboard itself. */
export function withNextPath(page: string, next: string | null): string {
  const path = next ? safeNextPath(next) : null;
  return path && path !== "/" ? `${page}?${NEXT_PARAM}=${encodeURIComponent(path)}` : page;
}
