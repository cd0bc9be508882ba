import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import { notFound } from "../errors";

const { sites } = schema;

/** Archives or restores the organisation's site, audited as site.archive or site.restore. */
export async function setSiteArchived(
  deps: { db: Database; actor: AuditActor; orgId: string },
  id: string,
  archived: boolean,
) {
  return deps.db.transaction(async (tx) => {
    const [site] = await tx
      .update(sites)
      .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
      .where(and(eq(sites.id, id), eq(sites.orgId, deps.orgId)))
      .returning({ id: sites.id, archivedAt: sites.archivedAt });
    if (!site) return notFound("Site");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: archived ? "site.archive" : "site.restore",
      targetType: "site",
      targetId: id,
    });
    return site;
  });
}
