import { and, asc, count, eq, schema } from "@consentry/db";
import { orgProcedure, router } from "../trpc";
import { pageInput } from "../validators";

const { cameras, sites } = schema;

export const camerasRouter = router({
  /** Read-only fleet list; registry and health arrive with the camera-fleet work. */
  list: orgProcedure("auditor")
    .input(pageInput)
    .query(async ({ ctx, input }) => {
      const where = eq(cameras.orgId, ctx.org.id);
      const [items, [total]] = await Promise.all([
        ctx.db
          .select({
            id: cameras.id,
            name: cameras.name,
            siteName: sites.name,
            locationType: cameras.locationType,
            frEnabled: cameras.frEnabled,
            status: cameras.status,
            lastSeenAt: cameras.lastSeenAt,
            rtspUrlMasked: cameras.rtspUrlMasked,
          })
          .from(cameras)
          .innerJoin(sites, and(eq(sites.id, cameras.siteId), eq(sites.orgId, ctx.org.id)))
          .where(where)
          .orderBy(asc(sites.name), asc(cameras.name))
          .limit(input.pageSize)
          .offset((input.page - 1) * input.pageSize),
        ctx.db.select({ value: count() }).from(cameras).where(where),
      ]);
      return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
    }),
});
