import { decryptString, SSO_CLIENT_SECRET_CONTEXT } from "@consentry/crypto";
import { env } from "@consentry/env";
import * as oidc from "openid-client";

/** An organisation's connection as the sign-in needs it. */
export type SsoConnection = {
  orgId: string;
  issuer: string;
  clientId: string;
  clientSecretEnc: string;
};

const isLoopback = (hostname: string) => {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
};

/**
 * The client for an organisation's IdP, from discovery. Plain http only to a loopback issuer
 * outside production (the settings refuse anything else; this is the second lock).
 */
export async function clientFor(connection: SsoConnection): Promise<oidc.Configuration> {
  const url = new URL(connection.issuer);
  const insecure = url.protocol === "http:" && isLoopback(url.hostname) && env.APP_ENV !== "production";
  return oidc.discovery(
    url,
    connection.clientId,
    undefined,
    oidc.ClientSecretBasic(decryptString(connection.clientSecretEnc, SSO_CLIENT_SECRET_CONTEXT)),
    { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: 10 },
  );
}

/** An OAuth error code that is safe to put in a URL, and a plain sentence for the owner. */
export type ProviderFailure = { code: string; message: string };

/** What the provider (or the way to it) said, without a stack trace. */
export function providerFailure(error: unknown): ProviderFailure {
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError) {
    const code = safeCode(error.error);
    const description = error.error_description ? `: ${error.error_description}` : "";
    return { code, message: `${error.error}${description}`.slice(0, 500) };
  }
  if (error instanceof oidc.WWWAuthenticateChallengeError) {
    // A 401 with a challenge, as for a wrong client secret: the error is in its parameters.
    const challenge = error.cause.find((c) => c.parameters.error) ?? error.cause[0];
    const code = challenge?.parameters.error ?? `http_${error.status}`;
    const description = challenge?.parameters.error_description ? `: ${challenge.parameters.error_description}` : "";
    return { code: safeCode(code), message: `${code}${description}`.slice(0, 500) };
  }
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 3; e = e.cause) {
    if (e.message && !parts.includes(e.message)) parts.push(e.message);
  }
  return { code: "provider_error", message: parts.join(" — ").slice(0, 500) || "The identity provider failed." };
}

function safeCode(value: string): string {
  return /^[a-z0-9_.-]{1,64}$/i.test(value) ? value : "provider_error";
}

/**
 * The values of the role claim, from a claim name or a dotted path ("realm_access.roles"):
 * a string, or an array of strings (others are ignored).
 */
export function claimValues(claims: Record<string, unknown>, claim: string): string[] {
  let value: unknown = claim in claims ? claims[claim] : undefined;
  if (value === undefined && claim.includes(".")) {
    value = claim
      .split(".")
      .reduce<unknown>(
        (node, key) => (node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined),
        claims,
      );
  }
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === "string");
  return [];
}
