import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import { requireSite } from "../lookups";
import type { signFields } from "../validators";
import { checkCoverage, setCoverage } from "./coverage";

const { signs } = schema;

export type SignInput = z.infer<typeof signFields>;

/** Records a sign telling people face recognition is in use (CN-CAM-02), with what it covers. */
export function createSign(deps: { db: Database; actor: AuditActor; orgId: string }, input: SignInput) {
  const { cameraIds, entryPointIds, ...fields } = input;
  return deps.db.transaction(async (tx) => {
    await requireSite(tx, deps.orgId, fields.siteId);
    await checkCoverage(tx, fields.siteId, cameraIds, entryPointIds);
    const [sign] = await tx
      .insert(signs)
      .values({ ...fields, orgId: deps.orgId, verifiedAt: fields.installedAt })
      .returning({ id: signs.id });
    if (!sign) throw new Error("insert returned no row");
    await setCoverage(tx, sign.id, cameraIds, entryPointIds);
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "sign.create",
      targetType: "sign",
      targetId: sign.id,
      details: { ...fields, cameraIds, entryPointIds },
    });
    return sign;
  });
}
