import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import { notFound } from "../errors";

const { entryPoints } = schema;

/** Removes an entry point; its name and site stay in the audit log. */
export function deleteEntryPoint(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: { entryPointId: string },
) {
  return deps.db.transaction(async (tx) => {
    const [entry] = await tx
      .delete(entryPoints)
      .where(and(eq(entryPoints.id, input.entryPointId), eq(entryPoints.orgId, deps.orgId)))
      .returning();
    if (!entry) return notFound("Entry point");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "entry_point.delete",
      targetType: "entry_point",
      targetId: entry.id,
      details: { name: entry.name, siteId: entry.siteId },
    });
    return { id: entry.id };
  });
}
