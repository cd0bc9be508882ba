import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { parseKeyList } from "@consentry/crypto";
import { env } from "@consentry/env";
import { asc, desc, gt, inArray, sql } from "drizzle-orm";
import type { Database, Executor } from "./client";
import { auditAnchors, auditChainChecks, auditLog, auditReanchors } from "./schema";

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

/**
 * A string as PostgreSQL stores it. Lone surrogates cannot be encoded in UTF-8: the driver sends
 * U+FFFD for them in text (and jsonb refuses their escapes). NUL fits neither text nor jsonb;
 * it becomes U+FFFD too rather than vanishing, so the entry still shows that something was there
 * and "a\0b" is not recorded as "ab". (String.prototype.toWellFormed, once our lib has ES2024.)
 */
export function storedString(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\0/g, "\uFFFD");
}

/**
 * A value as jsonb stores and returns it: JSON's own mapping first (-0 and 1e400 become 0 and
 * null, dates ISO strings, undefined dropped; jsonb's numeric keeps every double exactly), then
 * every string and key as `storedString`. What is hashed is what a later read returns.
 */
export function storedJson(value: unknown): unknown {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return storedString(v);
    if (Array.isArray(v)) return v.map(walk);
    // fromEntries: "__proto__" stays a plain key, and a later duplicate key wins, as in jsonb.
    if (v && typeof v === "object")
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [storedString(k), walk(x)]));
    return v;
  };
  const json = JSON.stringify(value);
  return json === undefined ? null : walk(JSON.parse(json));
}

const storedText = (value: string | null) => (value === null ? null : storedString(value));

const sameHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

/**
 * Appends an audit entry. Call it inside the transaction that makes the change, so the
 * change and its entry commit or roll back together.
 */
export async function writeAudit(tx: Executor, input: AuditInput, keyring: AuditKeyring = auditKeyringFromEnv()) {
  await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  // Hash exactly what PostgreSQL will store, or the entry would never verify (issue #14).
  const fields: ChainedFields = {
    at: new Date(),
    actorUserId: storedText(input.actor.userId),
    actorLabel: storedString(input.actor.label),
    orgId: input.orgId,
    action: storedString(input.action),
    targetType: storedString(input.targetType),
    targetId: storedText(input.targetId ?? null),
    details: storedJson(input.details ?? {}),
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

/** Why an entry (or an anchor or re-anchor) does not verify. */
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
  | "anchor_signature_invalid"
  /** A re-anchor (naming the first entry it covers) has a signature that does not verify. */
  | "reanchor_signature_invalid";

export type ChainBreak = { brokenAtId: number; reason: ChainBreakReason; anchorId?: number; reanchorId?: number };
/** One broken link; `closedBy` is the re-anchor that closed it (it stays listed). */
export type ListedBreak = Omit<ChainBreak, "brokenAtId"> & { id: number; closedBy?: number };
type Walked = {
  /** Entries walked, broken or not. */
  checked: number;
  headId: number | null;
  headHash: string;
  anchors: number;
  /** The first `listLimit` breaks, open and closed, in chain order. */
  breaks: ListedBreak[];
  breakCount: number;
  openBreaks: number;
};
/** `ok` when every break is closed by a re-anchor; otherwise names the first open break, as before. */
export type ChainVerdict = ({ ok: true } & Walked) | ({ ok: false } & ChainBreak & Walked);

type AnchorRow = typeof auditAnchors.$inferSelect;
type ReanchorRow = typeof auditReanchors.$inferSelect;
/** What a re-anchor covers of one break: `fingerprint` is a digest of the broken row as it was. */
export type CoveredBreak = Omit<ListedBreak, "closedBy"> & { fingerprint: string };
type FoundBreak = CoveredBreak & { segment: number };

const fingerprint = (value: unknown) => createHash("sha256").update(canonicalJson(value)).digest("hex");
const coverKey = (b: Omit<CoveredBreak, "id"> & { id: number }) =>
  [b.id, b.reason, b.anchorId ?? "", b.reanchorId ?? "", b.fingerprint].join("|");

function anchorPayload(anchor: Pick<AnchorRow, "day" | "headId" | "headHash" | "keyId">): string {
  return canonicalJson({ day: anchor.day, headId: anchor.headId, headHash: anchor.headHash, keyId: anchor.keyId });
}

const hmacHex = (key: Buffer, payload: string) => createHmac("sha256", key).update(payload).digest("hex");

export function signAnchor(anchor: Pick<AnchorRow, "day" | "headId" | "headHash">, keyring: AuditKeyring) {
  const keyId = keyring.signingKeyId;
  return { keyId, signature: hmacHex(keyring.keys.get(keyId) as Buffer, anchorPayload({ ...anchor, keyId })) };
}

export function anchorSignatureValid(anchor: AnchorRow, keyring: AuditKeyring): boolean {
  const key = keyring.keys.get(anchor.keyId);
  return key !== undefined && sameHex(hmacHex(key, anchorPayload(anchor)), anchor.signature);
}

function reanchorPayload(r: Pick<ReanchorRow, "at" | "actorUserId" | "actorLabel" | "reason" | "covers" | "keyId">) {
  const { at, actorUserId, actorLabel, reason, covers, keyId } = r;
  return canonicalJson({ at: at.toISOString(), actorUserId, actorLabel, reason, covers, keyId });
}

export function reanchorSignatureValid(reanchor: ReanchorRow, keyring: AuditKeyring): boolean {
  const key = keyring.keys.get(reanchor.keyId);
  return key !== undefined && sameHex(hmacHex(key, reanchorPayload(reanchor)), reanchor.signature);
}

/** The anchor's finding about the entry it names, or null when it agrees. */
function anchorBreak(anchor: AnchorRow, entryHash: string | undefined, keyring: AuditKeyring) {
  const print = fingerprint({ anchor, entryHash: entryHash ?? null });
  const at = { id: anchor.headId, anchorId: anchor.id, fingerprint: print };
  if (!anchorSignatureValid(anchor, keyring)) return { ...at, reason: "anchor_signature_invalid" as const };
  if (entryHash === undefined) return { ...at, reason: "anchored_entry_missing" as const };
  if (entryHash !== anchor.headHash) return { ...at, reason: "anchor_mismatch" as const };
  return null;
}

export type VerifyOptions = {
  pageSize?: number;
  keyring?: AuditKeyring;
  /** How many breaks the verdict lists (all are counted). */
  listLimit?: number;
};

/**
 * Walks the whole chain and finds every broken entry: content that no longer matches its HMAC
 * (or its SHA-256, for legacy entries), a prev_hash that is not its predecessor's hash (an entry
 * was removed or inserted), an unknown key, or an unkeyed entry after keyed ones. After a break it
 * re-synchronises on the stored hash, so later tampering is still seen. Every anchor is checked
 * too (its signature, and that the entry it names still has the anchored hash), and every
 * re-anchor's signature. A break that a valid re-anchor covers, with the row exactly as it was
 * then, is closed. Reads the chain in pages: constant memory beyond the listed breaks.
 */
async function walkAuditChain(
  db: Executor,
  options: VerifyOptions & { listLimit: number; collect?: (item: FoundBreak, closedBy?: number) => boolean },
) {
  const { pageSize = 1000, keyring = auditKeyringFromEnv(), listLimit, collect = () => true } = options;
  const anchors = await db.select().from(auditAnchors).orderBy(asc(auditAnchors.headId), asc(auditAnchors.id));
  const reanchors = await db.select().from(auditReanchors).orderBy(asc(auditReanchors.id));
  const anchorsAt = new Map<number, AnchorRow[]>();
  for (const anchor of anchors) anchorsAt.set(anchor.headId, [...(anchorsAt.get(anchor.headId) ?? []), anchor]);
  const closedBy = new Map<string, number>();
  const found: (FoundBreak & { closedBy?: number })[] = [];
  let [breakCount, openBreaks, first] = [0, 0, undefined as FoundBreak | undefined];
  const report = (item: FoundBreak) => {
    breakCount++;
    const closer = closedBy.get(coverKey(item));
    if (closer === undefined) {
      openBreaks++;
      first ??= item;
    }
    if (found.length < listLimit && collect(item, closer)) {
      found.push(closer === undefined ? item : { ...item, closedBy: closer });
    }
  };
  for (const reanchor of reanchors) {
    if (!reanchorSignatureValid(reanchor, keyring)) continue;
    for (const covered of reanchor.covers as CoveredBreak[]) closedBy.set(coverKey(covered), reanchor.id);
  }
  let expectedPrev = GENESIS_HASH;
  let lastId = 0;
  let headId: number | null = null;
  let seenKeyed = false;
  let checked = 0;
  // Consecutive broken entries form one segment, which a re-anchor closes at once.
  let segment = 0;
  let previousBroken = false;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, lastId))
      .orderBy(asc(auditLog.id))
      .limit(pageSize);
    for (const row of page) {
      let reason: ChainBreakReason | null = null;
      if (row.prevHash !== expectedPrev) reason = "prev_hash_mismatch";
      else if (row.keyId === null) {
        if (seenKeyed) reason = "unkeyed_after_keyed";
        else if (legacyAuditHash(row) !== row.hash) reason = "hash_mismatch";
      } else {
        const key = keyring.keys.get(row.keyId);
        if (!key) reason = "unknown_key";
        else if (!sameHex(keyedAuditHash(row, row.keyId, key), row.hash)) reason = "hash_mismatch";
      }
      if (row.keyId !== null) seenKeyed = true;
      const atRow = [
        ...(reason ? [{ id: row.id, reason, fingerprint: fingerprint(row) }] : []),
        ...(anchorsAt.get(row.id) ?? []).flatMap((anchor) => anchorBreak(anchor, row.hash, keyring) ?? []),
      ];
      if (atRow.length && !previousBroken) segment = row.id;
      for (const item of atRow) report({ ...item, segment });
      previousBroken = atRow.length > 0;
      anchorsAt.delete(row.id);
      // Re-synchronise on what is stored: the next entry is judged against this one as it is.
      expectedPrev = row.hash;
      lastId = headId = row.id;
      checked++;
    }
    if (page.length < pageSize) break;
  }
  // Anchors naming entries the walk never reached: the tail they anchored was removed.
  for (const anchor of [...anchorsAt.values()].flat()) {
    const item = anchorBreak(anchor, undefined, keyring);
    if (item) report({ ...item, segment: item.id });
  }
  for (const reanchor of reanchors) {
    if (reanchorSignatureValid(reanchor, keyring)) continue;
    const coveredIds = (reanchor.covers as CoveredBreak[]).map((c) => c.id);
    const id = coveredIds.length ? Math.min(...coveredIds) : (headId ?? 0);
    report({
      id,
      reason: "reanchor_signature_invalid",
      reanchorId: reanchor.id,
      fingerprint: fingerprint(reanchor),
      segment: id,
    });
  }
  const walked = { checked, headId, headHash: expectedPrev, anchors: anchors.length, breakCount, openBreaks };
  return { walked, found, first };
}

const listed = ({ fingerprint: _f, segment: _s, ...item }: FoundBreak & { closedBy?: number }): ListedBreak => item;

export async function verifyAuditChain(db: Executor, options: VerifyOptions = {}): Promise<ChainVerdict> {
  const { walked, found, first } = await walkAuditChain(db, { ...options, listLimit: options.listLimit ?? 100 });
  const breaks = found.map(listed);
  if (!first) return { ok: true, ...walked, breaks };
  const { id, reason, anchorId, reanchorId } = first;
  return {
    ok: false,
    brokenAtId: id,
    reason,
    ...(anchorId !== undefined && { anchorId }),
    ...(reanchorId !== undefined && { reanchorId }),
    ...walked,
    breaks,
  };
}

/** At most this many breaks per re-anchor; a longer segment takes several. */
const REANCHOR_LIMIT = 1000;

/**
 * Closes the open break at entry `brokenAtId` and the open breaks right after it (its segment),
 * with a re-anchor signed by the audit key, and audits that in the same transaction. The breaks
 * stay listed, as closed; the chain verifies again from there. Null when no open break is there.
 */
export async function reanchorAuditChain(
  db: Database,
  input: { brokenAtId: number; reason: string; actor: AuditActor },
  keyring: AuditKeyring = auditKeyringFromEnv(),
) {
  // Walked outside the chain lock: a re-anchor covers rows as they are (fingerprints), so a
  // concurrent change can only leave a break open, never close one it did not see.
  // Only open breaks from there on are kept: the segment comes first in chain order.
  const { found } = await walkAuditChain(db, {
    keyring,
    listLimit: REANCHOR_LIMIT,
    collect: (b, closedBy) => closedBy === undefined && b.id >= input.brokenAtId,
  });
  const start = found.find((b) => b.id === input.brokenAtId);
  if (!start) return null;
  const covers: CoveredBreak[] = found
    .filter((b) => b.segment === start.segment)
    .map(({ segment: _, closedBy: __, ...b }) => b);
  return db.transaction(async (tx) => {
    const unsigned = {
      at: new Date(),
      actorUserId: storedText(input.actor.userId),
      actorLabel: storedString(input.actor.label),
      reason: storedString(input.reason),
      covers,
      keyId: keyring.signingKeyId,
    };
    const signature = hmacHex(keyring.keys.get(unsigned.keyId) as Buffer, reanchorPayload(unsigned));
    const [reanchor] = await tx
      .insert(auditReanchors)
      .values({ ...unsigned, signature })
      .returning();
    if (!reanchor) throw new Error("insert returned no row");
    await writeAudit(
      tx,
      {
        actor: input.actor,
        orgId: null,
        action: "audit.reanchor",
        targetType: "audit_chain",
        targetId: String(input.brokenAtId),
        details: {
          reanchorId: reanchor.id,
          reason: input.reason,
          covers: covers.map(({ id, reason, anchorId, reanchorId }) => ({ id, reason, anchorId, reanchorId })),
        },
      },
      keyring,
    );
    return reanchor;
  });
}

/** Stores a verdict as the latest check, which feeds the compliance engine (CN-FR-14). */
export async function recordChainCheck(db: Executor, verdict: ChainVerdict) {
  await db.insert(auditChainChecks).values({
    ok: verdict.ok,
    checked: verdict.checked,
    brokenAtId: verdict.ok ? null : verdict.brokenAtId,
    reason: verdict.ok ? null : verdict.reason,
    breakCount: verdict.breakCount,
    openBreaks: verdict.openBreaks,
    breaks: verdict.breaks,
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
          breakCount: latestCheck.breakCount,
          openBreaks: latestCheck.openBreaks,
        }
      : null,
  };
}
