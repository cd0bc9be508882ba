import "server-only";
import { loadPrincipal, type Principal } from "@consentry/auth";
import { headers } from "next/headers";
import { cache } from "react";
import { auth, db } from "./services";

export async function principalFromHeaders(requestHeaders: Headers): Promise<Principal | null> {
  const session = await auth.api.getSession({ headers: requestHeaders });
  return session ? loadPrincipal(db, session.user.id) : null;
}

/** The signed-in user of the current request, resolved once per render. */
export const currentPrincipal = cache(async () => principalFromHeaders(await headers()));
