import { env } from "@consentry/env";
import { allowInsecureRequests, discovery } from "openid-client";
import { isLoopbackHost } from "./fields";

/**
 * Discovery against the issuer, as the sign-in will do it (packages/auth/src/sso-oidc.ts): the
 * provider's own message when it fails (wrong issuer, unreachable, not an OIDC provider).
 */
export async function discoverIssuer(
  issuer: string,
  clientId: string,
): Promise<{ ok: true; authorizationEndpoint: string | null } | { ok: false; message: string }> {
  const url = new URL(issuer);
  const insecure = url.protocol === "http:" && isLoopbackHost(url.hostname) && env.APP_ENV !== "production";
  try {
    const config = await discovery(url, clientId, undefined, undefined, {
      execute: insecure ? [allowInsecureRequests] : [],
      timeout: 10,
    });
    return { ok: true, authorizationEndpoint: config.serverMetadata().authorization_endpoint ?? null };
  } catch (error) {
    return { ok: false, message: describeDiscoveryError(error) };
  }
}

/** The cause chain as one plain sentence, never a stack trace. */
export function describeDiscoveryError(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e && parts.length < 4; e = (e as { cause?: unknown }).cause) {
    if (e instanceof Error) {
      const code = (e as { code?: string }).code;
      const text = e.message || code || e.name;
      if (text && !parts.some((part) => part.includes(text))) parts.push(text);
    } else if (typeof e === "object" && e && "error" in e) {
      // A ResponseBodyError's body: the provider's own error and description.
      const body = e as { error?: string; error_description?: string };
      parts.push([body.error, body.error_description].filter(Boolean).join(": "));
      break;
    } else break;
  }
  return parts.join(" — ").slice(0, 500) || "Discovery failed.";
}
