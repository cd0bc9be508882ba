import "server-only";
import { createCaller, createContext } from "@consentry/api";
import { currentPrincipal } from "./principal";
import { db, jobs } from "./services";

/** The tRPC API called in-process from server components, as the signed-in user. */
export async function serverApi() {
  return createCaller(createContext({ db, jobs, principal: await currentPrincipal() }));
}
