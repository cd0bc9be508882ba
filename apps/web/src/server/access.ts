import "server-only";
import { type Principal, TWO_FACTOR_SETUP_PATH } from "@consentry/auth";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { REQUESTED_PATH_HEADER, safeNextPath, signInPathFor, withNextPath } from "~/app/sign-in/next-path";
import { currentPrincipal } from "./principal";

export const ORG_COOKIE = "consentry-org";

/** The page this request asked for, when the proxy said (see REQUESTED_PATH_HEADER); else null. */
export async function requestedPath(): Promise<string | null> {
  return safeNextPath((await headers()).get(REQUESTED_PATH_HEADER));
}

/**
 * The signed-in principal, or a redirect: to sign in (and back) when signed out or the session
 * expired, and to the two-factor set-up when the active organisation requires two-factor and this
 * member has none yet, before any other page opens.
 */
export async function requirePrincipal(): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect(signInPathFor((await requestedPath()) ?? "/"));
  const membership = await activeMembership(principal);
  if (membership && principal.twoFactorSetupFor.includes(membership.orgId))
    redirect(withNextPath(TWO_FACTOR_SETUP_PATH, await requestedPath()));
  return principal;
}

/** The organisation chosen in the switcher, if the user still belongs to it; else their first. */
export async function activeMembership(principal: Principal) {
  const chosen = (await cookies()).get(ORG_COOKIE)?.value;
  return principal.memberships.find((m) => m.orgId === chosen) ?? principal.memberships[0] ?? null;
}

export type Area = "organization" | "regulator" | "admin";

export function canOpen(principal: Principal, area: Area): boolean {
  if (area === "organization") return principal.memberships.length > 0;
  if (area === "regulator") return principal.regulator !== null;
  return principal.isPlatformAdmin;
}

/** Where a user lands after signing in: the first area they may open. */
export function homePath(principal: Principal): string {
  if (canOpen(principal, "organization")) return "/home";
  if (canOpen(principal, "regulator")) return "/regulator";
  if (canOpen(principal, "admin")) return "/organizations";
  return "/no-access";
}
