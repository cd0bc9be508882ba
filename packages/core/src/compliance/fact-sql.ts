// What the fact loaders share: whose rows to load, and how large results travel.
import { and, type Executor, eq, type SQL, sql } from "@consentry/db";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

/** Whose rows to load: an organisation's, narrowed to one of its sites when `siteId` is given, as of `now`. */
export type FactScope = { db: Executor; orgId: string; siteId?: string; now: Date };

/** With a site given, every query narrows to it; without, the whole organisation. */
export const bySite = ({ siteId }: FactScope, column: AnyPgColumn) => (siteId ? eq(column, siteId) : undefined);
export const inScope = (scope: FactScope, orgColumn: AnyPgColumn, siteColumn: AnyPgColumn) =>
  and(eq(orgColumn, scope.orgId), bySite(scope, siteColumn));

/**
 * The rows of a large query as one JSON array: PostgreSQL builds it and V8's JSON.parse reads
 * it, several times faster than decoding a hundred thousand rows one by one. Column aliases
 * give the keys; timestamps are selected as epoch milliseconds (see `epochMs`).
 */
export async function jsonRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const [row] = await db.execute<{ rows: T[] }>(
    sql`select coalesce(json_agg(t), '[]'::json) as rows from (${query}) t`,
  );
  return row?.rows ?? [];
}

export const epochMs = (column: AnyPgColumn) => sql`(extract(epoch from ${column}) * 1000)::float8`;

/** Ids as one `uuid[]` parameter: an id list as separate parameters would hit PostgreSQL's 65,535. */
export const uuidArray = (ids: readonly string[]) => sql`${`{${ids.join(",")}}`}::uuid[]`;
