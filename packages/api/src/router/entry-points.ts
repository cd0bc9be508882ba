import { requireSite } from "@consentry/core";
import { createEntryPoint, deleteEntryPoint, updateEntryPoint } from "@consentry/core/entry-points";
import { entryPointFields } from "@consentry/core/validators";
import { and, asc, eq, schema } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const { entryPoints } = schema;
const entryPointId = z.object({ entryPointId: z.uuid() });

/** Entry points: where people pass, why face recognition is used there, and what else they may use. */
export const entryPointsRouter = router({
  list: orgProcedure("auditor")
    .input(z.object({ siteId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      await requireSite(ctx.db, ctx.org.id, input.siteId);
      return ctx.db
        .select()
        .from(entryPoints)
        .where(and(eq(entryPoints.siteId, input.siteId), eq(entryPoints.orgId, ctx.org.id)))
        .orderBy(asc(entryPoints.name));
    }),

  create: orgProcedure("manager")
    .input(entryPointFields)
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return createEntryPoint({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  update: orgProcedure("manager")
    .input(entryPointFields.omit({ siteId: true }).extend(entryPointId.shape))
    .mutation(({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return updateEntryPoint({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, fields);
    }),

  delete: orgProcedure("manager")
    .input(entryPointId)
    .mutation(({ ctx, input }) =>
      deleteEntryPoint({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, { entryPointId: input.entryPointId }),
    ),
});
