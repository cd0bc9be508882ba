import { and, type Database, desc, eq, escapeLike, gte, ilike, like, lt, lte, type SQL, schema } from "@consentry/db";
import type { AuditLogFilter, ListAuditEntriesInput } from "./validators";

const { auditLog, auditChainChecks } = schema;

export const auditEntryColumns = {
  id: auditLog.id,
  at: auditLog.at,
  actorLabel: auditLog.actorLabel,
  action: auditLog.action,
  targetType: auditLog.targetType,
  targetId: auditLog.targetId,
  details: auditLog.details,
};

/**
 * Conditions for one organisation's entries. Every query starts with org_id = the organisation, so
 * it walks the (org_id, id) index backwards; installation-wide entries (org_id null) never match.
 */
export function auditEntryConditions(filter: AuditLogFilter & { orgId: string }): SQL[] {
  const conditions: SQL[] = [eq(auditLog.orgId, filter.orgId)];
  if (filter.actor) conditions.push(ilike(auditLog.actorLabel, `%${escapeLike(filter.actor)}%`));
  if (filter.action) conditions.push(like(auditLog.action, `${escapeLike(filter.action)}%`));
  if (filter.targetType) conditions.push(eq(auditLog.targetType, filter.targetType));
  if (filter.targetId) conditions.push(eq(auditLog.targetId, filter.targetId));
  if (filter.from) conditions.push(gte(auditLog.at, filter.from));
  if (filter.to) conditions.push(lte(auditLog.at, filter.to));
  return conditions;
}

/** One page of the organisation's audit entries, newest first; `nextCursor` fetches the older ones. */
export async function listAuditEntries(db: Database, input: ListAuditEntriesInput & { orgId: string }) {
  const limit = input.limit ?? 50;
  const conditions = auditEntryConditions(input);
  // Keyset, not OFFSET: page 20,000 costs what page 1 does, and new entries do not shift the pages.
  if (input.cursor) conditions.push(lt(auditLog.id, input.cursor));
  const rows = await db
    .select(auditEntryColumns)
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/**
 * The chain's latest stored verification (the ops worker verifies hourly); the page shows it rather
 * than walking a million entries on every load. The chain spans the installation: the verdict names
 * the first open break's entry id and reason, never another organisation's content, nor how many
 * entries the installation holds.
 */
export async function latestAuditChainCheck(db: Database) {
  const [check] = await db
    .select({
      at: auditChainChecks.at,
      ok: auditChainChecks.ok,
      brokenAtId: auditChainChecks.brokenAtId,
      reason: auditChainChecks.reason,
      openBreaks: auditChainChecks.openBreaks,
    })
    .from(auditChainChecks)
    .orderBy(desc(auditChainChecks.id))
    .limit(1);
  return check ?? null;
}
