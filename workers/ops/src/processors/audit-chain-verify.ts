import { type ChainVerdict, type Database, schema, verifyAuditChain } from "@consentry/db";
import { opsJobSchemas } from "@consentry/queue";
import { type Job, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";

export const AUDIT_CHAIN_VERIFY = "audit-chain-verify" as const;

export type AuditChainVerifyDeps = { db: Database; logger: Logger };

/** Turns zod issues into one readable line, e.g. `(root): Unrecognized key: "x"`. */
function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`).join("; ");
}

/**
 * Walks the whole audit hash chain and returns the verdict as the job's result.
 * A bad payload can never succeed on a retry, so it fails the job at once.
 */
export function auditChainVerifyProcessor({ db, logger }: AuditChainVerifyDeps) {
  return async (job: Job): Promise<ChainVerdict> => {
    const log = logger.child({ job: AUDIT_CHAIN_VERIFY, jobId: job.id });
    const parsed = opsJobSchemas[AUDIT_CHAIN_VERIFY].safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`invalid payload for ${AUDIT_CHAIN_VERIFY}: ${describeIssues(parsed.error.issues)}`);
    }

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
  };
}
