import { and, type Database, desc, schema } from "@consentry/db";
import { toCsv } from "../csv";
import { auditEntryColumns, auditEntryConditions } from "./list-audit-entries";
import type { AuditLogFilter } from "./validators";

const { auditLog } = schema;

/** An export stays a file a spreadsheet opens; narrower filters reach older entries. */
export const AUDIT_EXPORT_LIMIT = 10_000;

export const AUDIT_CSV_COLUMNS = ["id", "at", "actor", "action", "target_type", "target_id", "details"] as const;

/** The filtered entries, newest first, as CSV (formula-safe, via toCsv); `capped` when more matched. */
export async function exportAuditEntries(
  db: Database,
  filter: AuditLogFilter & { orgId: string },
  limit = AUDIT_EXPORT_LIMIT,
) {
  const rows = await db
    .select(auditEntryColumns)
    .from(auditLog)
    .where(and(...auditEntryConditions(filter)))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const shown = rows.slice(0, limit);
  const csv = toCsv(
    AUDIT_CSV_COLUMNS,
    shown.map((row) => [
      row.id,
      row.at,
      row.actorLabel,
      row.action,
      row.targetType,
      row.targetId,
      JSON.stringify(row.details),
    ]),
  );
  return {
    filename: `audit-log-${new Date().toISOString().slice(0, 10)}.csv`,
    csv,
    rows: shown.length,
    capped: rows.length > limit,
    limit,
  };
}
