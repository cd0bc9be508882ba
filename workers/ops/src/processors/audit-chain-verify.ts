import { type AuditKeyring, anchorAuditChain, type ChainVerdict, type Database, recordChainCheck } from "@consentry/db";
import { JOBS, processorFor } from "@consentry/queue";
import type { Logger } from "pino";

export const AUDIT_CHAIN_VERIFY = JOBS.auditChainVerify.name;

export type AuditChainVerifyDeps = { db: Database; logger: Logger; keyring?: AuditKeyring };

/**
 * Walks the whole audit chain (HMACs and anchors), records the verdict (CN-FR-14) and returns it
 * as the job's result; an intact chain whose head moved since the latest anchor is anchored
 * (a bad payload fails the job at once: `processorFor`).
 */
export function auditChainVerifyProcessor({ db, logger, keyring }: AuditChainVerifyDeps) {
  return processorFor(JOBS.auditChainVerify, async (_data, job): Promise<ChainVerdict> => {
    const log = logger.child({ job: AUDIT_CHAIN_VERIFY, jobId: job.id });
    const startedAt = performance.now();
    const { verdict, anchor } = await anchorAuditChain(db, { keyring, onlyIfMoved: true });
    const durationMs = Math.round(performance.now() - startedAt);
    await recordChainCheck(db, verdict);
    logVerdict(log, verdict, durationMs);
    if (anchor) logAnchor(log, anchor);
    return verdict;
  });
}

export function logVerdict(log: Logger, verdict: ChainVerdict, durationMs: number) {
  const { checked, headId, headHash, anchors, breakCount, openBreaks } = verdict;
  if (verdict.ok) {
    // Closed breaks (re-anchored) are still counted, so they stay visible in the log too.
    log.info({ checked, headId, headHash, anchors, breakCount, durationMs }, "audit chain intact");
  } else {
    const { brokenAtId, reason, anchorId, reanchorId } = verdict;
    const firstBreaks = verdict.breaks.filter((b) => b.closedBy === undefined).slice(0, 10);
    log.error(
      { checked, brokenAtId, reason, anchorId, reanchorId, breakCount, openBreaks, firstBreaks, durationMs },
      "audit chain broken",
    );
  }
}

/** The signed head goes to the log as well: one more copy outside the database. */
export function logAnchor(
  log: Logger,
  anchor: { id: number; day: string; headId: number; headHash: string; keyId: string; signature: string },
) {
  const { id, day, headId, headHash, keyId, signature } = anchor;
  log.info({ anchorId: id, day, headId, headHash, keyId, signature }, "audit chain anchored");
}
