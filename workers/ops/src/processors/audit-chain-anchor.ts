import { type AuditKeyring, anchorAuditChain, type Database, recordChainCheck } from "@consentry/db";
import { JOBS, processorFor } from "@consentry/queue";
import type { Logger } from "pino";
import { logAnchor, logVerdict } from "./audit-chain-verify";

export const AUDIT_CHAIN_ANCHOR = JOBS.auditChainAnchor.name;

export type AuditChainAnchorDeps = { db: Database; logger: Logger; keyring?: AuditKeyring };

/**
 * The daily anchor: verifies the chain, records the verdict and, if the chain is intact and not
 * empty, stores its signed head in audit_anchors (even when the head has not moved, so every day
 * has one). A broken chain is never anchored. Returns the verdict and the anchor's id.
 */
export function auditChainAnchorProcessor({ db, logger, keyring }: AuditChainAnchorDeps) {
  return processorFor(JOBS.auditChainAnchor, async (_data, job) => {
    const log = logger.child({ job: AUDIT_CHAIN_ANCHOR, jobId: job.id });
    const startedAt = performance.now();
    const { verdict, anchor } = await anchorAuditChain(db, { keyring });
    await recordChainCheck(db, verdict);
    logVerdict(log, verdict, Math.round(performance.now() - startedAt));
    if (anchor) logAnchor(log, anchor);
    return { verdict, anchorId: anchor?.id ?? null };
  });
}
