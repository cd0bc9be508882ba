import { requireSite, touchMaterialChange } from "@consentry/core";
import { notFound } from "@consentry/core/errors";
import { entryPointFields } from "@consentry/core/validators";
import { and, asc, eq, schema } from "@consentry/db";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

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
    .mutation(async ({ ctx, input }) => {
      const { orgId: _orgId, ...fields } = input;
      return ctx.db.transaction(async (tx) => {
        await requireSite(tx, ctx.org.id, fields.siteId);
        const [entry] = await tx
          .insert(entryPoints)
          .values({ ...fields, orgId: ctx.org.id })
          .returning({ id: entryPoints.id });
        if (!entry) throw new Error("insert returned no row");
        if (fields.faceRecognition) await touchMaterialChange(tx, fields.siteId);
        await audit(tx, ctx, {
          action: "entry_point.create",
          targetType: "entry_point",
          targetId: entry.id,
          details: fields,
        });
        return entry;
      });
    }),

  update: orgProcedure("manager")
    .input(entryPointFields.omit({ siteId: true }).extend(entryPointId.shape))
    .mutation(async ({ ctx, input }) => {
      const { orgId: _orgId, entryPointId: id, ...fields } = input;
      return ctx.db.transaction(async (tx) => {
        const [before] = await tx
          .select()
          .from(entryPoints)
          .where(and(eq(entryPoints.id, id), eq(entryPoints.orgId, ctx.org.id)));
        if (!before) return notFound("Entry point");
        await tx
          .update(entryPoints)
          .set({ ...fields, updatedAt: new Date() })
          .where(eq(entryPoints.id, id));
        const changed = Object.fromEntries(
          Object.entries(fields).filter(
            ([key, value]) => JSON.stringify(before[key as keyof typeof before]) !== JSON.stringify(value),
          ),
        );
        if ("faceRecognition" in changed || "purpose" in changed) await touchMaterialChange(tx, before.siteId);
        await audit(tx, ctx, {
          action: "entry_point.update",
          targetType: "entry_point",
          targetId: id,
          details: { changed },
        });
        return { id };
      });
    }),

  delete: orgProcedure("manager")
    .input(entryPointId)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const [entry] = await tx
          .delete(entryPoints)
          .where(and(eq(entryPoints.id, input.entryPointId), eq(entryPoints.orgId, ctx.org.id)))
          .returning();
        if (!entry) return notFound("Entry point");
        await audit(tx, ctx, {
          action: "entry_point.delete",
          targetType: "entry_point",
          targetId: entry.id,
          details: { name: entry.name, siteId: entry.siteId },
        });
        return { id: entry.id };
      }),
    ),
});
