import type { Database } from "@consentry/db";
import type { BetterAuthPlugin } from "better-auth";

/** Per-organisation OIDC single sign-on (issue #16.5). */
export function ssoPlugin(_deps: { db: Database; baseUrl: string }): BetterAuthPlugin {
  return { id: "consentry-sso" };
}

/**
 * Why a password sign-in for this address is refused (its organisation requires SSO), or null.
 * Called before Better Auth checks the password.
 */
export async function passwordSignInRefusal(_db: Database, _email: string): Promise<string | null> {
  return null;
}
