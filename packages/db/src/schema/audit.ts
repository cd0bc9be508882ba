import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, date, index, integer, jsonb, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";

/**
 * Append-only audit log. Each row's hash is an HMAC (key outside the database, named by
 * `key_id`) over its content and the previous row's hash, so editing, inserting or deleting
 * a row breaks the chain even for someone who can write the table (see packages/db/src/audit.ts).
 * Rows from before keyed entries have no key id and a plain SHA-256 hash.
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
    /** The audit key the hash was made with; null for legacy (unkeyed SHA-256) entries. */
    keyId: text(),
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
  /** Why the chain broke at `broken_at_id` (ChainBreak in packages/db/src/audit.ts). */
  reason: text(),
  /** Every break found, closed by a re-anchor or not; `breaks` lists the first 100 (ListedBreak). */
  breakCount: integer().notNull().default(0),
  openBreaks: integer().notNull().default(0),
  breaks: jsonb().notNull().default(sql`'[]'::jsonb`),
});

/**
 * Signed chain heads, kept outside the chain: a rewrite of the chain's tail, even a consistent
 * one, no longer matches an anchor. Written by the ops worker (daily and after verification);
 * the application's role may insert but never change or delete them.
 */
export const auditAnchors = pgTable("audit_anchors", {
  id: bigserial({ mode: "number" }).primaryKey(),
  at: timestamptz().notNull().defaultNow(),
  /** The day (Asia/Shanghai) the anchor was taken. */
  day: date({ mode: "string" }).notNull(),
  headId: bigint({ mode: "number" }).notNull(),
  headHash: text().notNull(),
  keyId: text().notNull(),
  /** HMAC-SHA256 with the audit key `key_id` over (day, head_id, head_hash, key_id). */
  signature: text().notNull(),
});

/**
 * A platform administrator's signed statement closing broken links of the chain: which breaks
 * (`covers`: entry id, reason, and a digest of the broken row as it was), why, and who. The
 * breaks stay visible, as closed; a later change to a covered row opens its break again.
 * Append-only, like the anchors.
 */
export const auditReanchors = pgTable("audit_reanchors", {
  id: bigserial({ mode: "number" }).primaryKey(),
  at: timestamptz().notNull(),
  actorUserId: text(),
  actorLabel: text().notNull(),
  reason: text().notNull(),
  /** CoveredBreak[] (packages/db/src/audit.ts). */
  covers: jsonb().notNull(),
  keyId: text().notNull(),
  /** HMAC-SHA256 with the audit key `key_id` over (at, actor, reason, covers, key_id). */
  signature: text().notNull(),
});
