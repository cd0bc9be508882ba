import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import { findSign } from "./find-sign";

const { signs } = schema;

/** Removes a sign; its location, site and evidence hash stay in the audit log. */
export function deleteSign(deps: { db: Database; actor: AuditActor; orgId: string }, input: { signId: string }) {
  return deps.db.transaction(async (tx) => {
    const sign = await findSign(tx, deps.orgId, input.signId);
    await tx.delete(signs).where(eq(signs.id, sign.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "sign.delete",
      targetType: "sign",
      targetId: sign.id,
      details: { location: sign.location, siteId: sign.siteId, evidenceSha256: sign.evidenceSha256 },
    });
    return { id: sign.id };
  });
}
