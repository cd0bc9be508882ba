import {
  and,
  asc,
  type Database,
  desc,
  type Executor,
  eq,
  escapeLike,
  ilike,
  inArray,
  type SQL,
  schema,
  sql,
} from "@consentry/db";
import type { LeaseReader } from "@consentry/queue";
import { z } from "zod";
import { DomainError } from "../errors";
import { type CAMERA_SORTS, CAMERA_STATUSES, type cameraListFilter } from "../validators";
import { inferenceStates } from "./inference-states";
import { cameraListColumns } from "./list-columns";

const { cameras, sites } = schema;

export type CameraListFilter = z.infer<typeof cameraListFilter>;
type CameraSort = (typeof CAMERA_SORTS)[number];

/** Past this many matches the first page says "10,000+" instead of counting the whole fleet. */
export const CAMERA_COUNT_CAP = 10_000;
/** pg_trgm finds substrings of at least 3 characters through its index; shorter ones read every name. */
const TRIGRAM = 3;
/**
 * Up to this many search matches are collected through the trigram index and sorted (cost grows
 * with the matches); more are met walking the sort's index (cost grows with how far into the
 * order they start, unknown in advance, so only for searches matching much of the fleet).
 */
const SPARSE_MATCHES = CAMERA_COUNT_CAP;

/** A camera never seen sorts as the oldest: last in "most recent first", first the other way. */
const lastSeenKey = sql`coalesce(${cameras.lastSeenAt}, '-infinity'::timestamptz)`;

/**
 * Each sort as its keys, ending in an id so the order is total: a page starts after the last
 * row's keys instead of skipping rows with OFFSET. Name, status and site are served by indexes
 * that end the same way (packages/db schema, cameras and sites); last seen has none (the probe
 * rewrites it, see the schema), so that sort reads the filtered fleet. `leading` keys of one table
 * get a bound of their own, so PostgreSQL walks that table's index (the site sort walks sites by
 * name, then their cameras).
 */
const SORT_KEYS: Record<CameraSort, { keys: SQL[]; cursor: z.ZodType<string>[]; leading?: number }> = {
  name: { keys: [sql`${cameras.name}`, sql`${cameras.id}`], cursor: [z.string(), z.uuid()] },
  status: { keys: [sql`${cameras.status}`, sql`${cameras.id}`], cursor: [z.enum(CAMERA_STATUSES), z.uuid()] },
  lastSeen: {
    keys: [lastSeenKey, sql`${cameras.id}`],
    // As PostgreSQL prints a timestamptz, microseconds included ("2026-12-02 17:10:22.123456+00").
    cursor: [
      z.union([
        z.literal("-infinity"),
        z.string().regex(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,6})?[+-]\d\d(:\d\d)?$/),
      ]),
      z.uuid(),
    ],
  },
  site: {
    keys: [sql`${sites.name}`, sql`${sites.id}`, sql`${cameras.id}`],
    cursor: [z.string(), z.uuid(), z.uuid()],
    leading: 2,
  },
};

/**
 * A row's keys as selected values: the sort computes them anyway, and drizzle hands timestamps
 * over as PostgreSQL's text, microseconds included, so a cursor loses nothing. (A cast to text
 * here would be worked out for every row the sort reads, not for the page.)
 */
const keyColumns = (keys: SQL[]) => Object.fromEntries(keys.map((key, i) => [`key${i}`, sql<string>`${key}`]));
const keysOf = (row: Record<string, unknown>, count: number) =>
  Array.from({ length: count }, (_, i) => String(row[`key${i}`]));

/** Where the next page starts: the last row's keys, and how the search's matches are read (see below). */
type Cursor = { after: string[]; sparse?: true };
const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");

function decodeCursor(cursor: string, sort: CameraSort): Cursor {
  const shape = z.strictObject({
    after: z.tuple(SORT_KEYS[sort].cursor as [z.ZodType<string>, ...z.ZodType<string>[]]),
    sparse: z.literal(true).optional(),
  });
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    value = undefined;
  }
  const parsed = shape.safeParse(value);
  if (!parsed.success)
    throw new DomainError("invalid", "This page link is not valid for this list.", "cursor", "cursor");
  return parsed.data;
}

/** `(a, b, …) > (x, y, …)` (or `<`): the rows after a cursor in the list's order. */
function after(keys: SQL[], values: string[], direction: "asc" | "desc", inclusive = false) {
  const operator = direction === "asc" ? (inclusive ? ">=" : ">") : inclusive ? "<=" : "<";
  return sql`(${sql.join(keys, sql`, `)}) ${sql.raw(operator)} (${sql.join(
    values.map((value) => sql`${value}`),
    sql`, `,
  )})`;
}

/**
 * The fleet page: filters, search and sorts in PostgreSQL, one page at a time after a cursor,
 * with what the workers do with each camera. The first page (no cursor) also counts the matches,
 * up to CAMERA_COUNT_CAP; later pages do not count again.
 */
export async function listCameras(deps: { db: Database; orgId: string; leases: LeaseReader }, input: CameraListFilter) {
  const conditions: SQL[] = [eq(cameras.orgId, deps.orgId)];
  if (input.siteId) conditions.push(eq(cameras.siteId, input.siteId));
  if (input.status) conditions.push(eq(cameras.status, input.status));
  if (input.frEnabled !== undefined) conditions.push(eq(cameras.frEnabled, input.frEnabled));
  if (input.search) conditions.push(ilike(cameras.name, `%${escapeLike(input.search)}%`));
  const filter = and(...conditions) as SQL;
  const cursor = input.cursor ? decodeCursor(input.cursor, input.sort) : undefined;
  const page = { ...input, after: cursor?.after };

  let rows: Awaited<ReturnType<typeof pageOfCameras>>;
  let total: Awaited<ReturnType<typeof countUpTo>> | null = null;
  let sparse = false;
  if (input.search && input.search.length >= TRIGRAM) {
    ({ rows, total, sparse } = await deps.db.transaction(async (tx) => {
      // PostgreSQL prices the trigram index above reading every camera's name when the words are
      // common ones ("gate", "camera"), and reads 100,000 names instead of the few thousand it finds.
      await tx.execute(sql`set local enable_seqscan = off`);
      const counted = cursor ? null : await countUpTo(tx, filter, CAMERA_COUNT_CAP);
      // Few matches: collect them through the trigram index and sort them. Many: walk the sort's
      // index, which meets matches soon. Decided on the first page, kept by its cursors.
      const few = cursor
        ? cursor.sparse === true
        : counted !== null && !counted.capped && counted.count <= SPARSE_MATCHES;
      if (few) await tx.execute(sql`set local enable_indexscan = off`);
      return { rows: await pageOfCameras(tx, deps.orgId, filter, page), total: counted, sparse: few };
    }));
  } else {
    const counting = cursor ? null : countUpTo(deps.db, filter, CAMERA_COUNT_CAP);
    counting?.catch(() => {}); // awaited below; handled now in case the page query fails first
    rows = await pageOfCameras(deps.db, deps.orgId, filter, page);
    total = await counting;
  }
  const items = rows.slice(0, input.pageSize).map(({ cursor: _cursor, ...item }) => item);
  const last = rows.length > input.pageSize ? rows[input.pageSize - 1] : undefined;
  // Each camera's `inference`: analysed, waiting (for an inference worker) or retrying (stream failing).
  const inference = await inferenceStates(deps.leases, items);
  return {
    items: items.map((item) => ({ ...item, inference: inference.stateOf(item.id) })),
    /** Where the next page starts; null on the last page. */
    nextCursor: last ? encodeCursor({ after: last.cursor, ...(sparse && { sparse: true as const }) }) : null,
    /** On the first page only: how many cameras match, `capped` when there are more than `count`. */
    total,
    pageSize: input.pageSize,
    waitingForWorker: inference.waitingForWorker,
  };
}

/** One page and one row more (so the caller knows whether another page follows), with each row's cursor. */
async function pageOfCameras(
  db: Executor,
  orgId: string,
  filter: SQL,
  input: Pick<CameraListFilter, "sort" | "direction" | "pageSize"> & { after?: string[] },
) {
  const { keys, leading } = SORT_KEYS[input.sort];
  const page = [filter];
  if (input.after) {
    if (leading) page.push(after(keys.slice(0, leading), input.after.slice(0, leading), input.direction, true));
    page.push(after(keys, input.after, input.direction));
  }
  const order = keys.map((key) => (input.direction === "asc" ? asc(key) : desc(key)));
  const limit = input.pageSize + 1;
  if (input.sort === "site") {
    const rows = await db
      .select({ ...cameraListColumns, ...keyColumns(keys) })
      .from(cameras)
      .innerJoin(sites, eq(sites.id, cameras.siteId))
      .where(and(...page, eq(sites.orgId, orgId)))
      .orderBy(...order)
      .limit(limit);
    return rows.map((row) => withCursor(row, keys.length));
  }
  // Keys of the camera alone: the page is cut before the sites are joined, so a sort without an
  // index of its own (last seen) sorts cameras, not cameras joined with their sites.
  const { siteName: _siteName, ...cameraColumns } = cameraListColumns;
  const rows = await db
    .select({ ...cameraColumns, ...keyColumns(keys) })
    .from(cameras)
    .where(and(...page))
    .orderBy(...order)
    .limit(limit);
  const siteIds = [...new Set(rows.map((row) => row.siteId))];
  const names = siteIds.length
    ? await db
        .select({ id: sites.id, name: sites.name })
        .from(sites)
        .where(and(eq(sites.orgId, orgId), inArray(sites.id, siteIds)))
    : [];
  const nameOf = new Map(names.map((site) => [site.id, site.name]));
  return rows.map((row) => withCursor({ ...row, siteName: nameOf.get(row.siteId) ?? "" }, keys.length));
}

/** The row as the list shows it, and its keys for the cursor. */
function withCursor<T extends Record<string, unknown>>(row: T, keyCount: number) {
  const item = { ...row };
  for (let i = 0; i < keyCount; i++) delete item[`key${i}`];
  return { ...(item as Omit<T, `key${number}`>), cursor: keysOf(row, keyCount) };
}

/** How many cameras match, reading at most `cap` + 1 of them. */
async function countUpTo(db: Executor, filter: SQL, cap: number) {
  const [row] = await db.execute<{ count: number }>(
    sql`select count(*)::int as count from (select 1 from ${cameras} where ${filter} limit ${cap + 1}) matches`,
  );
  const count = row?.count ?? 0;
  return count > cap ? { count: cap, capped: true } : { count, capped: false };
}
