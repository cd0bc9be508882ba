import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import { findSign } from "./find-sign";

const { signs } = schema;

/** Someone checked on site that the sign is still there and readable. */
export function verifySign(deps: { db: Database; actor: AuditActor; orgId: string }, input: { signId: string }) {
  return deps.db.transaction(async (tx) => {
    await findSign(tx, deps.orgId, input.signId);
    const verifiedAt = new Date();
    await tx.update(signs).set({ verifiedAt }).where(eq(signs.id, input.signId));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "sign.verify",
      targetType: "sign",
      targetId: input.signId,
    });
    return { id: input.signId, verifiedAt };
  });
}
