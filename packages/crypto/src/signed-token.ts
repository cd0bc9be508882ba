import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Short-lived signed tokens (HMAC-SHA256), e.g. the live-view ticket the dashboard hands to
 * the gateway. `<base64url(json)>.<base64url(mac)>`; the payload is readable, not secret.
 */

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

const mac = (body: string, secret: string) => createHmac("sha256", secret).update(body).digest();

export function signToken(payload: Record<string, unknown>, secret: string, ttlSeconds: number, now = Date.now()) {
  const body = Buffer.from(JSON.stringify({ ...payload, exp: Math.floor(now / 1000) + ttlSeconds })).toString(
    "base64url",
  );
  return `${body}.${mac(body, secret).toString("base64url")}`;
}

/** The payload of a genuine, unexpired token; anything else throws InvalidTokenError. */
export function verifyToken<T extends Record<string, unknown>>(token: string, secret: string, now = Date.now()) {
  const [body, signature, ...rest] = token.split(".");
  if (!body || !signature || rest.length > 0) throw new InvalidTokenError("malformed token");
  const expected = mac(body, secret);
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new InvalidTokenError("bad signature");
  }
  const payload = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T & { exp: number };
  if (typeof payload.exp !== "number" || payload.exp * 1000 <= now) throw new InvalidTokenError("token expired");
  return payload;
}
