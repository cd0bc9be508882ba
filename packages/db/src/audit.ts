import { createHash } from "node:crypto";
import { asc, desc, gt, sql } from "drizzle-orm";
import type { Executor } from "./client";
import { auditLog } from "./schema";

export const GENESIS_HASH = "0".repeat(64);
// Arbitrary constant: serialises appends so every entry sees its true predecessor.
const AUDIT_CHAIN_LOCK = 0x636f6e73;

export type AuditActor = { userId: string | null; label: string };
export type AuditInput = {
  actor: AuditActor;
  orgId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
};

type ChainedFields = {
  at: Date;
  actorUserId: string | null;
  actorLabel: string;
  orgId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: unknown;
  prevHash: string;
};

/** JSON with object keys sorted at every depth, so jsonb's key reordering cannot change a hash. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object" && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export function auditHash(fields: ChainedFields): string {
  const chained = {
    at: fields.at.toISOString(),
    actorUserId: fields.actorUserId,
    actorLabel: fields.actorLabel,
    orgId: fields.orgId,
    action: fields.action,
    targetType: fields.targetType,
    targetId: fields.targetId,
    details: fields.details,
    prevHash: fields.prevHash,
  };
  return createHash("sha256").update(canonicalJson(chained)).digest("hex");
}

/**
 * Appends an audit entry. Call it inside the transaction that makes the change, so the
 * change and its entry commit or roll back together.
 */
export async function writeAudit(tx: Executor, input: AuditInput) {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  const fields: ChainedFields = {
    at: new Date(),
    actorUserId: input.actor.userId,
    actorLabel: input.actor.label,
    orgId: input.orgId,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId ?? null,
    // Round-trip through JSON so what we hash is exactly what jsonb can store.
    details: JSON.parse(JSON.stringify(input.details ?? {})),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = auditHash(fields);
  const [row] = await tx
    .insert(auditLog)
    .values({ ...fields, hash })
    .returning({ id: auditLog.id });
  return { id: row?.id as number, hash };
}

export type ChainVerdict =
  | { ok: true; checked: number; headHash: string }
  | { ok: false; checked: number; brokenAtId: number; reason: "hash_mismatch" | "prev_hash_mismatch" };

/**
 * Walks the chain from the first entry and reports the first broken link: an entry whose
 * content no longer matches its hash, or whose prev_hash is not its predecessor's hash
 * (an entry was removed or inserted). Reads in pages so it runs in constant memory.
 */
export async function verifyAuditChain(db: Executor, pageSize = 1000): Promise<ChainVerdict> {
  let expectedPrev = GENESIS_HASH;
  let lastId = 0;
  let checked = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, lastId))
      .orderBy(asc(auditLog.id))
      .limit(pageSize);
    for (const row of page) {
      if (row.prevHash !== expectedPrev) {
        return { ok: false, checked, brokenAtId: row.id, reason: "prev_hash_mismatch" };
      }
      if (auditHash(row) !== row.hash) return { ok: false, checked, brokenAtId: row.id, reason: "hash_mismatch" };
      expectedPrev = row.hash;
      lastId = row.id;
      checked++;
    }
    if (page.length < pageSize) return { ok: true, checked, headHash: expectedPrev };
  }
}
