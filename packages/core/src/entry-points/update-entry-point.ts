import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import { notFound } from "../errors";
import { touchMaterialChange } from "../lookups";
import type { entryPointFields } from "../validators";

const { entryPoints } = schema;

export type EntryPointUpdate = Omit<z.infer<typeof entryPointFields>, "siteId"> & { entryPointId: string };

/** Edits an entry point; a changed purpose or use of face recognition is a material change. */
export function updateEntryPoint(deps: { db: Database; actor: AuditActor; orgId: string }, input: EntryPointUpdate) {
  const { entryPointId: id, ...fields } = input;
  return deps.db.transaction(async (tx) => {
    const [before] = await tx
      .select()
      .from(entryPoints)
      .where(and(eq(entryPoints.id, id), eq(entryPoints.orgId, deps.orgId)));
    if (!before) return notFound("Entry point");
    await tx
      .update(entryPoints)
      .set({ ...fields, updatedAt: new Date() })
      .where(eq(entryPoints.id, id));
    const changed = Object.fromEntries(
      Object.entries(fields).filter(
        ([key, value]) => JSON.stringify(before[key as keyof typeof before]) !== JSON.stringify(value),
      ),
    );
    if ("faceRecognition" in changed || "purpose" in changed) await touchMaterialChange(tx, before.siteId);
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "entry_point.update",
      targetType: "entry_point",
      targetId: id,
      details: { changed },
    });
    return { id };
  });
}
