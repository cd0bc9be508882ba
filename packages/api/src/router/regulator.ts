import { regionInJurisdiction } from "@consentry/auth";
import { count, eq, isNull, schema, sql } from "@consentry/db";
import { regulatorProcedure, router } from "../trpc";

const { sites, cameras, organizations } = schema;

export const regulatorRouter = router({
  /**
   * Counts per organisation and site kind within the regulator's jurisdiction.
   * Aggregates only: no faces, video, names of people or contacts ever leave here.
   */
  overview: regulatorProcedure.query(async ({ ctx }) => {
    const rows = await ctx.db
      .select({
        orgId: organizations.id,
        orgName: organizations.name,
        siteId: sites.id,
        siteName: sites.name,
        regionCode: sites.regionCode,
        kind: sites.kind,
        cameraCount: count(cameras.id),
        frCameraCount: sql<number>`count(${cameras.id}) filter (where ${cameras.frEnabled})::int`,
      })
      .from(sites)
      .innerJoin(organizations, eq(organizations.id, sites.orgId))
      .leftJoin(cameras, eq(cameras.siteId, sites.id))
      .where(isNull(sites.archivedAt))
      .groupBy(organizations.id, sites.id)
      .orderBy(organizations.name, sites.name);
    const inScope = rows.filter((row) =>
      ctx.regulator.jurisdictionCodes.some((code) => regionInJurisdiction(row.regionCode, code)),
    );
    return { authority: ctx.regulator.authority, jurisdictionCodes: ctx.regulator.jurisdictionCodes, sites: inScope };
  }),
});
