import { and, desc, eq, lt, schema } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";
import { requireSite } from "./shared";

const { recognitionEvents, cameras, subjects } = schema;
const PAGE = 50;

/** Who was recognised where: consenting people only, by pseudonym (unknown faces are never recorded). */
export const recognitionRouter = router({
  feed: orgProcedure("operator")
    .input(z.object({ siteId: z.uuid(), cursor: z.number().int().positive().nullish() }))
    .query(async ({ ctx, input }) => {
      await requireSite(ctx.db, ctx.org.id, input.siteId);
      const rows = await ctx.db
        .select({
          id: recognitionEvents.id,
          at: recognitionEvents.at,
          score: recognitionEvents.score,
          cameraId: recognitionEvents.cameraId,
          cameraName: cameras.name,
          subjectId: recognitionEvents.subjectId,
          pseudonym: subjects.pseudonym,
        })
        .from(recognitionEvents)
        .innerJoin(cameras, eq(cameras.id, recognitionEvents.cameraId))
        .leftJoin(subjects, eq(subjects.id, recognitionEvents.subjectId))
        .where(
          and(
            eq(recognitionEvents.orgId, ctx.org.id),
            eq(recognitionEvents.siteId, input.siteId),
            input.cursor ? lt(recognitionEvents.id, input.cursor) : undefined,
          ),
        )
        .orderBy(desc(recognitionEvents.id))
        .limit(PAGE + 1);
      return { items: rows.slice(0, PAGE), nextBefore: rows.length > PAGE ? rows[PAGE - 1]?.id : undefined };
    }),
});
