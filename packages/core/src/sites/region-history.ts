import { and, type Database, desc, eq, schema } from "@consentry/db";
import { notFound } from "../errors";

const { sites, siteRegionChanges } = schema;

/** The organisation's site's moves between regions, newest first, or NOT_FOUND. */
export async function siteRegionHistory(deps: { db: Database; orgId: string }, input: { siteId: string }) {
  const [site] = await deps.db
    .select({ id: sites.id })
    .from(sites)
    .where(and(eq(sites.id, input.siteId), eq(sites.orgId, deps.orgId)));
  if (!site) return notFound("Site");
  return deps.db
    .select({
      id: siteRegionChanges.id,
      fromRegion: siteRegionChanges.fromRegion,
      toRegion: siteRegionChanges.toRegion,
      changedAt: siteRegionChanges.changedAt,
      changedBy: siteRegionChanges.changedByLabel,
      reason: siteRegionChanges.reason,
    })
    .from(siteRegionChanges)
    .where(and(eq(siteRegionChanges.siteId, site.id), eq(siteRegionChanges.orgId, deps.orgId)))
    .orderBy(desc(siteRegionChanges.changedAt), desc(siteRegionChanges.id));
}
