import { notFound } from "@consentry/core/errors";
import { createSite, duplicateNameError } from "@consentry/core/sites";
import { siteFields, siteListFilter } from "@consentry/core/validators";
import { and, asc, count, eq, escapeLike, ilike, isNotNull, isNull, type SQL, schema, sql } from "@consentry/db";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

const { sites, cameras } = schema;
const siteId = z.object({ siteId: z.uuid() });

const siteColumns = {
  id: sites.id,
  code: sites.code,
  name: sites.name,
  address: sites.address,
  regionCode: sites.regionCode,
  kind: sites.kind,
  templateRetentionDays: sites.templateRetentionDays,
  createdAt: sites.createdAt,
  updatedAt: sites.updatedAt,
  archivedAt: sites.archivedAt,
  // Table-qualified on purpose: drizzle renders bare column names inside raw subqueries.
  cameraCount: sql<number>`(select count(*)::int from ${cameras} where ${cameras}.site_id = ${sites}.id)`,
  offlineCameraCount: sql<number>`(select count(*)::int from ${cameras} where ${cameras}.site_id = ${sites}.id and ${cameras}.status in ('offline', 'unreachable', 'auth_failed'))`,
};

export const sitesRouter = router({
  list: orgProcedure("auditor")
    .input(siteListFilter)
    .query(async ({ ctx, input }) => {
      const conditions: SQL[] = [eq(sites.orgId, ctx.org.id)];
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
        ctx.db
          .select(siteColumns)
          .from(sites)
          .where(where)
          .orderBy(asc(sites.name), asc(sites.id))
          .limit(input.pageSize)
          .offset((input.page - 1) * input.pageSize),
        ctx.db.select({ value: count() }).from(sites).where(where),
      ]);
      return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
    }),

  byId: orgProcedure("auditor")
    .input(siteId)
    .query(async ({ ctx, input }) => {
      const [site] = await ctx.db
        .select(siteColumns)
        .from(sites)
        .where(and(eq(sites.id, input.siteId), eq(sites.orgId, ctx.org.id)));
      return site ?? notFound("Site");
    }),

  create: orgProcedure("manager")
    .input(siteFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return createSite({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  update: orgProcedure("manager")
    .input(siteFields.extend(siteId.shape))
    .mutation(async ({ ctx, input }) => {
      const { orgId: _orgId, siteId: id, ...fields } = input;
      try {
        return await ctx.db.transaction(async (tx) => {
          const [before] = await tx
            .select()
            .from(sites)
            .where(and(eq(sites.id, id), eq(sites.orgId, ctx.org.id)))
            .for("update");
          if (!before) return notFound("Site");
          const [site] = await tx
            .update(sites)
            .set({ ...fields, updatedAt: new Date() })
            .where(eq(sites.id, id))
            .returning({ id: sites.id, code: sites.code, name: sites.name });
          const changed = Object.fromEntries(
            Object.entries(fields).filter(([key, value]) => before[key as keyof typeof before] !== value),
          );
          await audit(tx, ctx, { action: "site.update", targetType: "site", targetId: id, details: { changed } });
          return site as NonNullable<typeof site>;
        });
      } catch (error) {
        throw duplicateNameError(error);
      }
    }),

  archive: orgProcedure("manager")
    .input(siteId)
    .mutation(({ ctx, input }) => setArchived(ctx, input.siteId, true)),

  restore: orgProcedure("manager")
    .input(siteId)
    .mutation(async ({ ctx, input }) => {
      try {
        return await setArchived(ctx, input.siteId, false);
      } catch (error) {
        throw duplicateNameError(error);
      }
    }),
});

type OrgContext = Parameters<typeof audit>[1] & { db: import("@consentry/db").Database; org: { id: string } };

async function setArchived(ctx: OrgContext, id: string, archived: boolean) {
  return ctx.db.transaction(async (tx) => {
    const [site] = await tx
      .update(sites)
      .set({ archivedAt: archived ? new Date() : null, updatedAt: new Date() })
      .where(and(eq(sites.id, id), eq(sites.orgId, ctx.org.id)))
      .returning({ id: sites.id, archivedAt: sites.archivedAt });
    if (!site) return notFound("Site");
    await audit(tx, ctx, { action: archived ? "site.archive" : "site.restore", targetType: "site", targetId: id });
    return site;
  });
}
