import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { timestamptz } from "./columns";
import { orgReference } from "./organizations";
import { siteReference } from "./sites";

/**
 * Every change of a site's region code. Regulators are scoped by region, so a move decides who
 * oversees the site: both the old and the new region's regulator see it, and history stays put.
 * Rows are only ever added; the site cannot be deleted while it has any ("restrict").
 */
export const siteRegionChanges = pgTable(
  "site_region_changes",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: siteReference("restrict"),
    fromRegion: text().notNull(),
    toRegion: text().notNull(),
    changedAt: timestamptz().notNull().defaultNow(),
    /** Who moved it: the user id and, as audit entries carry it, their label (e-mail). */
    changedByUserId: text(),
    changedByLabel: text().notNull(),
    reason: text().notNull(),
  },
  (table) => [index().on(table.siteId, table.changedAt), index().on(table.fromRegion), index().on(table.toRegion)],
);
