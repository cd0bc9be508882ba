import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import { requireSite, touchMaterialChange } from "../lookups";
import type { entryPointFields } from "../validators";

const { entryPoints } = schema;

export type EntryPointInput = z.infer<typeof entryPointFields>;

/** Records an entry point of a site; one using face recognition is a material change (a PIPIA before it is stale). */
export function createEntryPoint(deps: { db: Database; actor: AuditActor; orgId: string }, input: EntryPointInput) {
  return deps.db.transaction(async (tx) => {
    await requireSite(tx, deps.orgId, input.siteId);
    const [entry] = await tx
      .insert(entryPoints)
      .values({ ...input, orgId: deps.orgId })
      .returning({ id: entryPoints.id });
    if (!entry) throw new Error("insert returned no row");
    if (input.faceRecognition) await touchMaterialChange(tx, input.siteId);
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "entry_point.create",
      targetType: "entry_point",
      targetId: entry.id,
      details: input,
    });
    return entry;
  });
}
