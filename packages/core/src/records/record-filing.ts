import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import type { filingFields } from "../validators";

const { filings } = schema;

export type FilingInput = z.infer<typeof filingFields>;

/** Records the organisation's filing of its face data with the authority (CN-FR-15). */
export function recordFiling(deps: { db: Database; actor: AuditActor; orgId: string }, input: FilingInput) {
  return deps.db.transaction(async (tx) => {
    const [filing] = await tx
      .insert(filings)
      .values({ ...input, orgId: deps.orgId })
      .returning({ id: filings.id });
    if (!filing) throw new Error("insert returned no row");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "filing.record",
      targetType: "filing",
      targetId: filing.id,
      details: input,
    });
    return filing;
  });
}
