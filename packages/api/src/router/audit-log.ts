import {
  auditLogFilter,
  exportAuditEntries,
  latestAuditChainCheck,
  listAuditEntries,
  listAuditEntriesInput,
} from "@consentry/core/audit-log";
import { orgProcedure, router } from "../trpc";

/** The organisation's audit log for its auditors (and every role above): read-only. */
export const auditLogRouter = router({
  /** A page of the organisation's entries, newest first, filtered; `nextCursor` for older ones. */
  list: orgProcedure("auditor")
    .input(listAuditEntriesInput)
    .query(({ ctx, input }) => listAuditEntries(ctx.db, { ...input, orgId: ctx.org.id })),

  /** The chain's latest stored verification: when, and the first open break if any. */
  chainStatus: orgProcedure("auditor").query(({ ctx }) => latestAuditChainCheck(ctx.db)),

  /** The filtered entries as CSV (formula-safe), at most AUDIT_EXPORT_LIMIT rows; `capped` says when more matched. */
  exportCsv: orgProcedure("auditor")
    .input(auditLogFilter)
    .query(({ ctx, input }) => exportAuditEntries(ctx.db, { ...input, orgId: ctx.org.id })),
});
