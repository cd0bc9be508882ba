import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { parseKeyList } from "@consentry/crypto";
import { env } from "@consentry/env";
import { asc, desc, gt, inArray, sql } from "drizzle-orm";
import type { Executor } from "./client";
import { auditAnchors, auditChainChecks, auditLog } from "./schema";

export const GENESIS_HASH = "0".repeat(64);
// Arbitrary constant: serialises appends so every entry sees its true predecessor.
const AUDIT_CHAIN_LOCK = 0x636f6e73;
/** Anchors are dated by the day in Shanghai, where the sites and regulators are. */
const ANCHOR_TIME_ZONE = "Asia/Shanghai";

/**
 * The audit keys (CONSENTRY_AUDIT_KEYS, kept outside the database). Entries and anchors name
 * the key they were made with, so keys rotate: old ids stay listed to verify, the last signs.
 */
export type AuditKeyring = { signingKeyId: string; keys: ReadonlyMap<string, Buffer> };

export function parseAuditKeyring(spec: string): AuditKeyring {
  const keys = parseKeyList(spec, "audit", 32);
  const signingKeyId = [...keys.keys()].at(-1);
  if (!signingKeyId) throw new Error("the audit keyring is empty");
  return { signingKeyId, keys };
}

let envKeyring: AuditKeyring | undefined;
export function auditKeyringFromEnv(): AuditKeyring {
  envKeyring ??= parseAuditKeyring(env.CONSENTRY_AUDIT_KEYS);
  return envKeyring;
}

export type AuditActor = { userId: string | null; label: string };
export type AuditInput = {
  actor: AuditActor;
  orgId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  details?: Record<string, unknown>;
};

export type ChainedFields = {
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

function chainedJson(fields: ChainedFields, keyId?: string): string {
  return canonicalJson({
    at: fields.at.toISOString(),
    actorUserId: fields.actorUserId,
    actorLabel: fields.actorLabel,
    orgId: fields.orgId,
    action: fields.action,
    targetType: fields.targetType,
    targetId: fields.targetId,
    details: fields.details,
    prevHash: fields.prevHash,
    ...(keyId !== undefined && { keyId }),
  });
}

/** The hash of an entry from before keyed entries: plain SHA-256, which anyone can recompute. */
export function legacyAuditHash(fields: ChainedFields): string {
  return createHash("sha256").update(chainedJson(fields)).digest("hex");
}

/** HMAC-SHA256 with the audit key over the entry's fields, its predecessor's hash and the key id. */
export function keyedAuditHash(fields: ChainedFields, keyId: string, key: Buffer): string {
  return createHmac("sha256", key).update(chainedJson(fields, keyId)).digest("hex");
}

const sameHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/**
 * Appends an audit entry. Call it inside the transaction that makes the change, so the
 * change and its entry commit or roll back together.
 */
export async function writeAudit(tx: Executor, input: AuditInput, keyring: AuditKeyring = auditKeyringFromEnv()) {
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
  const keyId = keyring.signingKeyId;
  const hash = keyedAuditHash(fields, keyId, keyring.keys.get(keyId) as Buffer);
  const [row] = await tx
    .insert(auditLog)
    .values({ ...fields, hash, keyId })
    .returning({ id: auditLog.id });
  return { id: row?.id as number, hash };
}

/** Why verification stopped at an entry. */
export type ChainBreakReason =
  /** The entry's content no longer matches its hash (its HMAC, or a legacy entry's SHA-256). */
  | "hash_mismatch"
  /** Its prev_hash is not its predecessor's hash: an entry before it was removed or inserted. */
  | "prev_hash_mismatch"
  /** It names an audit key that is not in the keyring. */
  | "unknown_key"
  /** An unkeyed (legacy) entry after keyed ones: written or rewritten without the key. */
  | "unkeyed_after_keyed"
  /** An anchor names this entry as the chain's head, but the entry's hash is no longer the anchored one. */
  | "anchor_mismatch"
  /** An anchor names this entry as the chain's head, but no such entry exists any more. */
  | "anchored_entry_missing"
  /** The anchor naming this entry has a signature that does not verify (or names an unknown key). */
  | "anchor_signature_invalid";

export type ChainBreak = { brokenAtId: number; reason: ChainBreakReason; anchorId?: number };
export type ChainVerdict =
  | { ok: true; checked: number; headId: number | null; headHash: string; anchors: number }
  | ({ ok: false; checked: number } & ChainBreak);

type AnchorRow = typeof auditAnchors.$inferSelect;

function anchorPayload(anchor: Pick<AnchorRow, "day" | "headId" | "headHash" | "keyId">): string {
  return canonicalJson({ day: anchor.day, headId: anchor.headId, headHash: anchor.headHash, keyId: anchor.keyId });
}

export function signAnchor(anchor: Pick<AnchorRow, "day" | "headId" | "headHash">, keyring: AuditKeyring) {
  const keyId = keyring.signingKeyId;
  const payload = anchorPayload({ ...anchor, keyId });
  const signature = createHmac("sha256", keyring.keys.get(keyId) as Buffer)
    .update(payload)
    .digest("hex");
  return { keyId, signature };
}

export function anchorSignatureValid(anchor: AnchorRow, keyring: AuditKeyring): boolean {
  const key = keyring.keys.get(anchor.keyId);
  if (!key) return false;
  const expected = createHmac("sha256", key).update(anchorPayload(anchor)).digest("hex");
  return sameHex(expected, anchor.signature);
}

/** The anchor's finding about the entry it names, or null when it agrees. */
function anchorBreak(anchor: AnchorRow, entryHash: string | undefined, keyring: AuditKeyring): ChainBreak | null {
  const at = { brokenAtId: anchor.headId, anchorId: anchor.id };
  if (!anchorSignatureValid(anchor, keyring)) return { ...at, reason: "anchor_signature_invalid" };
  if (entryHash === undefined) return { ...at, reason: "anchored_entry_missing" };
  if (entryHash !== anchor.headHash) return { ...at, reason: "anchor_mismatch" };
  return null;
}

export type VerifyOptions = { pageSize?: number; keyring?: AuditKeyring };

/**
 * Walks the chain from the first entry and reports the first broken entry: one whose content
 * no longer matches its HMAC (or its SHA-256, for legacy entries), whose prev_hash is not its
 * predecessor's hash (an entry was removed or inserted), that names an unknown key, or that is
 * unkeyed after keyed entries. Every anchor is checked too: its signature, and that the entry
 * it names still has the anchored hash, so even a consistent rewrite of the tail is caught.
 * Reads the chain in pages, so it runs in constant memory (anchors are few: about one a day).
 */
export async function verifyAuditChain(db: Executor, options: VerifyOptions = {}): Promise<ChainVerdict> {
  const { pageSize = 1000, keyring = auditKeyringFromEnv() } = options;
  const anchors = await db.select().from(auditAnchors).orderBy(asc(auditAnchors.headId), asc(auditAnchors.id));
  const anchorsAt = new Map<number, AnchorRow[]>();
  for (const anchor of anchors) anchorsAt.set(anchor.headId, [...(anchorsAt.get(anchor.headId) ?? []), anchor]);
  let expectedPrev = GENESIS_HASH;
  let headId: number | null = null;
  let seenKeyed = false;
  let checked = 0;
  const broken = (found: ChainBreak): ChainVerdict => ({ ok: false, checked, ...found });
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, headId ?? 0))
      .orderBy(asc(auditLog.id))
      .limit(pageSize);
    for (const row of page) {
      if (row.prevHash !== expectedPrev) return broken({ brokenAtId: row.id, reason: "prev_hash_mismatch" });
      if (row.keyId === null) {
        if (seenKeyed) return broken({ brokenAtId: row.id, reason: "unkeyed_after_keyed" });
        if (legacyAuditHash(row) !== row.hash) return broken({ brokenAtId: row.id, reason: "hash_mismatch" });
      } else {
        const key = keyring.keys.get(row.keyId);
        if (!key) return broken({ brokenAtId: row.id, reason: "unknown_key" });
        if (!sameHex(keyedAuditHash(row, row.keyId, key), row.hash)) {
          return broken({ brokenAtId: row.id, reason: "hash_mismatch" });
        }
        seenKeyed = true;
      }
      for (const anchor of anchorsAt.get(row.id) ?? []) {
        const found = anchorBreak(anchor, row.hash, keyring);
        if (found) return broken(found);
      }
      anchorsAt.delete(row.id);
      expectedPrev = row.hash;
      headId = row.id;
      checked++;
    }
    if (page.length < pageSize) break;
  }
  // Anchors naming entries the walk never reached: the tail they anchored was removed.
  for (const anchor of [...anchorsAt.values()].flat()) {
    const found = anchorBreak(anchor, undefined, keyring);
    if (found) return broken(found);
  }
  return { ok: true, checked, headId, headHash: expectedPrev, anchors: anchors.length };
}

/** Stores a verdict as the latest check, which feeds the compliance engine (CN-FR-14). */
export async function recordChainCheck(db: Executor, verdict: ChainVerdict) {
  await db.insert(auditChainChecks).values({
    ok: verdict.ok,
    checked: verdict.checked,
    brokenAtId: verdict.ok ? null : verdict.brokenAtId,
    reason: verdict.ok ? null : verdict.reason,
  });
}

export const anchorDay = (at: Date) => at.toLocaleDateString("sv-SE", { timeZone: ANCHOR_TIME_ZONE });

export type AnchorOptions = {
  keyring?: AuditKeyring;
  now?: Date;
  /** Skip the anchor when the latest one already names the current head (hourly verification). */
  onlyIfMoved?: boolean;
};

/**
 * Verifies the chain and, if it is intact and not empty, stores its signed head as an anchor.
 * A broken chain is never anchored: that would vouch for the tampering.
 */
export async function anchorAuditChain(db: Executor, options: AnchorOptions = {}) {
  const { keyring = auditKeyringFromEnv(), now = new Date(), onlyIfMoved = false } = options;
  const verdict = await verifyAuditChain(db, { keyring });
  if (!verdict.ok || verdict.headId === null) return { verdict, anchor: null };
  if (onlyIfMoved) {
    const [latest] = await db.select().from(auditAnchors).orderBy(desc(auditAnchors.id)).limit(1);
    if (latest?.headId === verdict.headId) return { verdict, anchor: null };
  }
  const head = { day: anchorDay(now), headId: verdict.headId, headHash: verdict.headHash };
  const [anchor] = await db
    .insert(auditAnchors)
    .values({ ...head, ...signAnchor(head, keyring), at: now })
    .returning();
  return { verdict, anchor: anchor as AnchorRow };
}

/**
 * The latest anchors, each with whether it still verifies (signature, and the entry it names
 * still has the anchored hash), and the latest verification. Anchors and verdicts only, never
 * entries' content: this is what regulators see.
 */
export async function auditAnchorsOverview(db: Executor, options: { limit?: number; keyring?: AuditKeyring } = {}) {
  const { limit = 14, keyring = auditKeyringFromEnv() } = options;
  const anchors = await db.select().from(auditAnchors).orderBy(desc(auditAnchors.id)).limit(limit);
  const heads = anchors.length
    ? await db
        .select({ id: auditLog.id, hash: auditLog.hash })
        .from(auditLog)
        .where(
          inArray(
            auditLog.id,
            anchors.map((a) => a.headId),
          ),
        )
    : [];
  const hashOf = new Map(heads.map((head) => [head.id, head.hash]));
  const [latestCheck] = await db.select().from(auditChainChecks).orderBy(desc(auditChainChecks.id)).limit(1);
  return {
    anchors: anchors.map((anchor) => ({
      id: anchor.id,
      at: anchor.at,
      day: anchor.day,
      headId: anchor.headId,
      headHash: anchor.headHash.slice(0, 12),
      keyId: anchor.keyId,
      verified: anchorBreak(anchor, hashOf.get(anchor.headId), keyring) === null,
    })),
    latestCheck: latestCheck
      ? {
          at: latestCheck.at,
          ok: latestCheck.ok,
          checked: latestCheck.checked,
          brokenAtId: latestCheck.brokenAtId,
          reason: latestCheck.reason as ChainBreakReason | null,
        }
      : null,
  };
}
