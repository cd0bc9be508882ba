import { and, asc, count, eq, ne, schema, sql } from "@consentry/db";
import { orgProcedure, router } from "../trpc";
import { pageInput } from "../validators";

const { dsrRequests, sites } = schema;

export const requestsRouter = router({
  /** Verified data-subject requests, soonest due first. Contacts stay encrypted here. */
  list: orgProcedure("operator")
    .input(pageInput)
    .query(async ({ ctx, input }) => {
      const where = and(eq(dsrRequests.orgId, ctx.org.id), ne(dsrRequests.status, "pending_verification"));
      const [items, [total]] = await Promise.all([
        ctx.db
          .select({
            id: dsrRequests.id,
            referenceCode: dsrRequests.referenceCode,
            type: dsrRequests.type,
            status: dsrRequests.status,
            siteName: sites.name,
            submittedAt: dsrRequests.submittedAt,
            dueAt: dsrRequests.dueAt,
            closedAt: dsrRequests.closedAt,
          })
          .from(dsrRequests)
          .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
          .where(where)
          .orderBy(sql`${dsrRequests.closedAt} is not null`, asc(dsrRequests.dueAt))
          .limit(input.pageSize)
          .offset((input.page - 1) * input.pageSize),
        ctx.db.select({ value: count() }).from(dsrRequests).where(where),
      ]);
      return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
    }),
});
