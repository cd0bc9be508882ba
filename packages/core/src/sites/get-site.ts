import { and, type Database, eq, schema, sql } from "@consentry/db";
import { notFound } from "../errors";
import { siteColumns } from "./site-columns";

const { sites } = schema;

/**
 * What a new site needs before its cameras may recognise anyone, each read from the data so the
 * site page's checklist ticks itself: an entry point, an alternative to the face at every
 * face-recognition entry point (CN-FR-02), a completed PIPIA (CN-FR-08), a published notice
 * (CN-FR-03), a sign (CN-FR-01) and a camera. (`sites.id` is spelt out: drizzle leaves the
 * column unqualified in a one-table select, where it would mean the subquery's own id.)
 */
const setupColumns = {
  entryPoints: sql<boolean>`exists (select 1 from entry_points where site_id = sites.id)`,
  alternatives: sql<boolean>`exists (select 1 from entry_points where site_id = sites.id)
    and not exists (select 1 from entry_points where site_id = sites.id and face_recognition
      and cardinality(alternatives) = 0)`,
  assessment: sql<boolean>`exists (select 1 from assessments where site_id = sites.id)`,
  notice: sql<boolean>`exists (select 1 from notices where site_id = sites.id)`,
  signs: sql<boolean>`exists (select 1 from signs where site_id = sites.id)`,
  cameras: sql<boolean>`exists (select 1 from cameras where site_id = sites.id)`,
};
export type SiteSetupStep = keyof typeof setupColumns;

/** The site page: the organisation's site with its camera counts and set-up steps, or NOT_FOUND. */
export async function getSite(deps: { db: Database; orgId: string }, input: { siteId: string }) {
  const [site] = await deps.db
    .select({ ...siteColumns, setup: setupColumns })
    .from(sites)
    .where(and(eq(sites.id, input.siteId), eq(sites.orgId, deps.orgId)));
  return site ?? notFound("Site");
}
