import { type ChainVerdict, type Database, schema, verifyAuditChain } from "@consentry/db";
import { JOBS, processorFor } from "@consentry/queue";
import type { Logger } from "pino";

export const AUDIT_CHAIN_VERIFY = JOBS.auditChainVerify.name;

export type AuditChainVerifyDeps = { db: Database; logger: Logger };

/**
 * Walks the whole audit hash chain and returns the verdict as the job's result
 * (a bad payload fails the job at once: `processorFor`).
 */
export function auditChainVerifyProcessor({ db, logger }: AuditChainVerifyDeps) {
  return processorFor(JOBS.auditChainVerify, async (_data, job): Promise<ChainVerdict> => {
    const log = logger.child({ job: AUDIT_CHAIN_VERIFY, jobId: job.id });
    const startedAt = performance.now();
    const verdict = await verifyAuditChain(db);
    const durationMs = Math.round(performance.now() - startedAt);
    // The latest result feeds the compliance engine (CN-FR-14).
    await db.insert(schema.auditChainChecks).values({
      ok: verdict.ok,
      checked: verdict.checked,
      brokenAtId: verdict.ok ? null : verdict.brokenAtId,
    });

    if (verdict.ok) {
      log.info({ checked: verdict.checked, headHash: verdict.headHash, durationMs }, "audit chain intact");
    } else {
      log.error(
        { checked: verdict.checked, brokenAtId: verdict.brokenAtId, reason: verdict.reason, durationMs },
        "audit chain broken",
      );
    }
    return verdict;
  });
}
