import "server-only";
import { createCaller, createContext } from "@consentry/api";
import { currentPrincipal } from "./principal";
import { db, jobs } from "./services";
import { storage } from "./storage";

/** The tRPC API called in-process from server components, as the signed-in user. */
export async function serverApi() {
  return createCaller(createContext({ db, jobs, storage, principal: await currentPrincipal() }));
}
