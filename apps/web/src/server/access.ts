import "server-only";
import type { Principal } from "@consentry/auth";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { currentPrincipal } from "./principal";

export const ORG_COOKIE = "consentry-org";

/** The signed-in principal, or a redirect to the sign-in page. */
export async function requirePrincipal(): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect("/sign-in");
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
  if (canOpen(principal, "organization")) return "/sites";
  if (canOpen(principal, "regulator")) return "/regulator";
  if (canOpen(principal, "admin")) return "/organizations";
  return "/no-access";
}
