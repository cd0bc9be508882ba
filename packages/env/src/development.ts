/**
 * The public development secrets: anyone can read them here, so they only ever serve
 * APP_ENV=development and APP_ENV=test, and every other environment refuses them.
 */
export const DEVELOPMENT_SECRETS = {
  BETTER_AUTH_SECRET: "consentry-development-secret-not-for-production-use",
  CONSENTRY_ENCRYPTION_KEYS: "dev1:ZGV2LWtleS0zMi1ieXRlcy1ub3QtZm9yLXByb2QhISE=",
  CONSENTRY_LIVE_VIEW_SECRET: "consentry-live-view-development-secret-000",
  CONSENTRY_PORTAL_SECRET: "consentry-portal-development-secret-0000",
} as const;

export type DevelopmentSecret = keyof typeof DEVELOPMENT_SECRETS;

/** The development encryption key itself, whatever key id it is listed under. */
const DEVELOPMENT_KEY = DEVELOPMENT_SECRETS.CONSENTRY_ENCRYPTION_KEYS.split(":")[1];

/** Whether `value` is (or, for the keyring, contains) a public development value. */
export function isDevelopmentValue(name: DevelopmentSecret, value: string): boolean {
  if (name !== "CONSENTRY_ENCRYPTION_KEYS") return value.trim() === DEVELOPMENT_SECRETS[name];
  return value.split(",").some((pair) => pair.slice(pair.indexOf(":") + 1).trim() === DEVELOPMENT_KEY);
}
