import { bigint, bigserial, boolean, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";

/**
 * Append-only audit log. Each row's hash covers its content and the previous row's hash,
 * so editing or deleting any row breaks the chain (see packages/db/src/audit.ts).
 * No foreign keys: entries must outlive what they describe.
 */
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    at: timestamptz().notNull(),
    actorUserId: text(),
    actorLabel: text().notNull(),
    orgId: uuid(),
    action: text().notNull(),
    targetType: text().notNull(),
    targetId: text(),
    details: jsonb().notNull(),
    prevHash: text().notNull(),
    hash: text().notNull().unique(),
  },
  (table) => [index().on(table.orgId, table.id), index().on(table.targetType, table.targetId)],
);

/** Results of audit-chain verification (ops worker, hourly); the latest feeds CN-FR-14. */
export const auditChainChecks = pgTable("audit_chain_checks", {
  id: bigserial({ mode: "number" }).primaryKey(),
  at: timestamptz().notNull().defaultNow(),
  ok: boolean().notNull(),
  checked: integer().notNull(),
  brokenAtId: bigint({ mode: "number" }),
});
