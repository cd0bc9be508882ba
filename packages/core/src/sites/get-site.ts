import { and, type Database, eq, schema } from "@consentry/db";
import { notFound } from "../errors";
import { siteColumns } from "./site-columns";

const { sites } = schema;

/** The site page: the organisation's site with its camera counts, or NOT_FOUND. */
export async function getSite(deps: { db: Database; orgId: string }, input: { siteId: string }) {
  const [site] = await deps.db
    .select(siteColumns)
    .from(sites)
    .where(and(eq(sites.id, input.siteId), eq(sites.orgId, deps.orgId)));
  return site ?? notFound("Site");
}
