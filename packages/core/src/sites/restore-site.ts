import type { AuditActor, Database } from "@consentry/db";
import { duplicateNameError } from "./duplicate-name";
import { setSiteArchived } from "./set-archived";

/** Restores an archived site, unless an active site has taken its name meanwhile. */
export async function restoreSite(deps: { db: Database; actor: AuditActor; orgId: string }, input: { siteId: string }) {
  try {
    return await setSiteArchived(deps, input.siteId, false);
  } catch (error) {
    throw duplicateNameError(error);
  }
}
