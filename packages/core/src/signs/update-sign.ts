import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import type { signFields } from "../validators";
import { checkCoverage, setCoverage } from "./coverage";
import { findSign } from "./find-sign";

const { signs } = schema;

export type SignUpdate = Omit<z.infer<typeof signFields>, "siteId"> & { signId: string };

/** Edits a sign and what it covers; it stays at its site. */
export function updateSign(deps: { db: Database; actor: AuditActor; orgId: string }, input: SignUpdate) {
  const { signId: id, cameraIds, entryPointIds, ...fields } = input;
  return deps.db.transaction(async (tx) => {
    const sign = await findSign(tx, deps.orgId, id);
    await checkCoverage(tx, sign.siteId, cameraIds, entryPointIds);
    await tx.update(signs).set(fields).where(eq(signs.id, id));
    await setCoverage(tx, id, cameraIds, entryPointIds);
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "sign.update",
      targetType: "sign",
      targetId: id,
      details: { ...fields, cameraIds, entryPointIds },
    });
    return { id };
  });
}
