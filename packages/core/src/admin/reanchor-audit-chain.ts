import { type AuditActor, type Database, reanchorAuditChain, recordChainCheck, verifyAuditChain } from "@consentry/db";
import { z } from "zod";
import { fieldError } from "../errors";
import { text } from "../validators";

export const reanchorInput = z.object({
  /** The first entry of the broken segment, as the verifier names it. */
  brokenAtId: z.int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** Why the break may be closed (incident number, what was restored): kept, signed and audited. */
  reason: text().trim().min(10).max(2000),
});

/**
 * A platform administrator closes a broken segment of the audit chain: a signed re-anchor covers
 * the open breaks from `brokenAtId` on (consecutive broken entries), audited in the same
 * transaction. The breaks stay listed as closed. The new verdict is recorded at once, so
 * CN-FR-14 reflects it without waiting for the hourly check.
 */
export async function reanchorChain(deps: { db: Database; actor: AuditActor }, input: z.infer<typeof reanchorInput>) {
  const reanchor = await reanchorAuditChain(deps.db, { ...input, actor: deps.actor });
  if (!reanchor) {
    throw fieldError("precondition", "brokenAtId", "noOpenBreak", "There is no open break at this entry.");
  }
  const verdict = await verifyAuditChain(deps.db);
  await recordChainCheck(deps.db, verdict);
  return { reanchorId: reanchor.id, covered: reanchor.covers as { id: number }[], verdict };
}
