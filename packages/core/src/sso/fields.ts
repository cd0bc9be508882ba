import { ORG_ROLES } from "@consentry/auth/roles";
import { env } from "@consentry/env";
import { z } from "zod";
import { text } from "../validators/common";

/** Loopback hosts, the only ones an issuer may reach over plain http (outside production). */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return host === "localhost" || host === "::1" || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Why `value` cannot be an OIDC issuer, as a "validation" message key, or null. https only;
 * http for a loopback host when APP_ENV is not production (an IdP in a test or on a laptop).
 */
export function issuerProblem(value: string, appEnv = env.APP_ENV): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "ssoIssuerInvalid";
  }
  if (url.username || url.password || url.search || url.hash) return "ssoIssuerInvalid";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && appEnv !== "production" && isLoopbackHost(url.hostname)) return null;
  return "ssoIssuerHttps";
}

/** A DNS host name of two or more labels, lower-case (as stored in sso_domains). */
const HOSTNAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const ssoRole = z.enum(ORG_ROLES);

export const ssoSettingsFields = z.strictObject({
  issuer: text()
    .trim()
    .min(1)
    .max(500)
    .refine((value) => issuerProblem(value) === null, {
      error: (issue) => issuerProblem(String(issue.input)) ?? "ssoIssuerInvalid",
    })
    // The issuer identifier compares as a string; "https://idp/" and "https://idp" differ at the
    // IdP, so keep what the owner typed (trimmed), as discovery will check it.
    .transform((value) => value),
  /** The OAuth client id at the IdP (not a Consentry id). */
  clientIdentifier: text().trim().min(1).max(300),
  /** Write-only: omitted (or null) keeps the stored secret; required when there is none yet. */
  clientSecret: text().min(1).max(1000).nullable().default(null),
  domains: z
    .array(
      text()
        .trim()
        .toLowerCase()
        .max(253)
        .refine((value) => HOSTNAME.test(value), { error: "ssoDomainInvalid" }),
    )
    .min(1, { error: "ssoDomainsRequired" })
    .max(20)
    .transform((values) => [...new Set(values)]),
  roleClaim: text()
    .trim()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9_:./-]+$/, { error: "ssoClaimInvalid" }),
  roleMapping: z
    .array(z.strictObject({ claimValue: text().trim().min(1).max(200), role: ssoRole }))
    .max(100)
    .superRefine((rows, ctx) => {
      const seen = new Set<string>();
      rows.forEach((row, index) => {
        if (seen.has(row.claimValue))
          ctx.addIssue({ code: "custom", path: [index, "claimValue"], message: "ssoMappingDuplicate" });
        seen.add(row.claimValue);
      });
    }),
  /** The role of a user none of whose claim values is mapped; null refuses them. */
  defaultRole: ssoRole.nullable(),
  required: z.boolean(),
  enabled: z.boolean(),
});
export type SsoSettingsFields = z.infer<typeof ssoSettingsFields>;
