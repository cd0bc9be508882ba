/**
 * The public development secrets: anyone can read them here, so they only ever serve
 * APP_ENV=development and APP_ENV=test, and every other environment refuses them.
 */
export const DEVELOPMENT_SECRETS = {
  BETTER_AUTH_SECRET: "consentry-development-secret-not-for-production-use",
  CONSENTRY_ENCRYPTION_KEYS: "dev1:ZGV2LWtleS0zMi1ieXRlcy1ub3QtZm9yLXByb2QhISE=",
  CONSENTRY_LIVE_VIEW_SECRET: "consentry-live-view-development-secret-000",
  CONSENTRY_PORTAL_SECRET: "consentry-portal-development-secret-0000",
  CONSENTRY_AUDIT_KEYS: "dev1:Y29uc2VudHJ5LWF1ZGl0LWRldmVsb3BtZW50LWtleSEhIQ==",
} as const;

export type DevelopmentSecret = keyof typeof DEVELOPMENT_SECRETS;

/** Keyrings: comma-separated `keyId:base64key` pairs, so old keys stay usable after a rotation. */
const KEYRINGS: readonly DevelopmentSecret[] = ["CONSENTRY_ENCRYPTION_KEYS", "CONSENTRY_AUDIT_KEYS"];

/** Whether `value` is (or, for a keyring, contains) a public development value. */
export function isDevelopmentValue(name: DevelopmentSecret, value: string): boolean {
  if (!KEYRINGS.includes(name)) return value.trim() === DEVELOPMENT_SECRETS[name];
  // The development key itself, whatever key id it is listed under.
  const developmentKey = DEVELOPMENT_SECRETS[name].split(":")[1];
  return value.split(",").some((pair) => pair.slice(pair.indexOf(":") + 1).trim() === developmentKey);
}
