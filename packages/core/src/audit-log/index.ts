export { AUDIT_CSV_COLUMNS, AUDIT_EXPORT_LIMIT, exportAuditEntries } from "./export-audit-entries";
export { auditEntryConditions, latestAuditChainCheck, listAuditEntries } from "./list-audit-entries";
export {
  type AuditLogFilter,
  auditLogFilter,
  type ListAuditEntriesInput,
  listAuditEntriesInput,
} from "./validators";
