import "server-only";
import { createCaller, createContext } from "@consentry/api";
import type { PortalServices } from "@consentry/core/portal";
import { currentPrincipal } from "./principal";
import { db, jobs, leases } from "./services";
import { storage } from "./storage";

/** The tRPC API called in-process from server components and routes, as the signed-in user. */
export async function serverApi(portal?: PortalServices) {
  return createCaller(createContext({ db, jobs, leases, storage, portal, principal: await currentPrincipal() }));
}
