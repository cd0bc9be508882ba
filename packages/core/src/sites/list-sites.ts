import {
  and,
  asc,
  count,
  type Database,
  eq,
  escapeLike,
  ilike,
  isNotNull,
  isNull,
  type SQL,
  schema,
  sql,
} from "@consentry/db";
import type { z } from "zod";
import type { siteListFilter } from "../validators";
import { siteColumns } from "./site-columns";

const { sites } = schema;

export type SiteListFilter = z.infer<typeof siteListFilter>;

/** The organisation's sites, active, archived or all, searched by name, code or address, a page at a time. */
export async function listSites(deps: { db: Database; orgId: string }, input: SiteListFilter) {
  const conditions: SQL[] = [eq(sites.orgId, deps.orgId)];
  if (input.status === "active") conditions.push(isNull(sites.archivedAt));
  if (input.status === "archived") conditions.push(isNotNull(sites.archivedAt));
  if (input.search) {
    const pattern = `%${escapeLike(input.search)}%`;
    conditions.push(
      sql`(${ilike(sites.name, pattern)} or ${ilike(sites.code, pattern)} or ${ilike(sites.address, pattern)})`,
    );
  }
  const where = and(...conditions);
  const [items, [total]] = await Promise.all([
    deps.db
      .select(siteColumns)
      .from(sites)
      .where(where)
      .orderBy(asc(sites.name), asc(sites.id))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    deps.db.select({ value: count() }).from(sites).where(where),
  ]);
  return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
}
