import { schema, sql } from "@consentry/db";

const { sites, cameras } = schema;

/** What the site list and the site page show of a site, with its camera counts. */
export const siteColumns = {
  id: sites.id,
  code: sites.code,
  name: sites.name,
  address: sites.address,
  regionCode: sites.regionCode,
  kind: sites.kind,
  templateRetentionDays: sites.templateRetentionDays,
  eventSnapshots: sites.eventSnapshots,
  createdAt: sites.createdAt,
  updatedAt: sites.updatedAt,
  archivedAt: sites.archivedAt,
  // Table-qualified on purpose: drizzle renders bare column names inside raw subqueries.
  cameraCount: sql<number>`(select count(*)::int from ${cameras} where ${cameras}.site_id = ${sites}.id)`,
  offlineCameraCount: sql<number>`(select count(*)::int from ${cameras} where ${cameras}.site_id = ${sites}.id and ${cameras}.status in ('offline', 'unreachable', 'auth_failed'))`,
};
