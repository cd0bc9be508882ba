import type { AuditActor, Database } from "@consentry/db";
import { setSiteArchived } from "./set-archived";

/** Archives a site: it leaves the pickers and the CSV import, its history stays. */
export function archiveSite(deps: { db: Database; actor: AuditActor; orgId: string }, input: { siteId: string }) {
  return setSiteArchived(deps, input.siteId, true);
}
