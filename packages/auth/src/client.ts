import { twoFactorClient } from "better-auth/client/plugins";
import { createAuthClient } from "better-auth/react";

/**
 * Browser-side auth client; talks to /api/auth on the same origin. A password sign-in of an account
 * with two-factor answers `twoFactorRedirect`; the sign-in form then asks for the code itself, so
 * no redirect is configured here.
 */
export const authClient = createAuthClient({ plugins: [twoFactorClient()] });
