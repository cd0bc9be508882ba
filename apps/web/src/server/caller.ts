import "server-only";
import { createCaller, createContext } from "@consentry/api";
import type { PortalServices } from "@consentry/core/portal";
import { currentPrincipal, principalFromHeaders } from "./principal";
import { db, jobs, leases } from "./services";
import { storage } from "./storage";

/** The tRPC API called in-process from server components and routes, as the signed-in user. */
export async function serverApi(portal?: PortalServices) {
  return createCaller(createContext({ db, jobs, leases, storage, portal, principal: await currentPrincipal() }));
}

/**
 * The same API for route handlers, as the user whose session the request carries. Read from the
 * request itself rather than next/headers, so the handlers also run outside Next (their tests).
 */
export async function requestApi(request: Request, portal?: PortalServices) {
  const principal = await principalFromHeaders(request.headers);
  return createCaller(createContext({ db, jobs, leases, storage, portal, principal }));
}
