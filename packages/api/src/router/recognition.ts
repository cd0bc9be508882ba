import { requireSite } from "@consentry/core";
import { findEventSnapshot } from "@consentry/core/sites";
import { and, desc, eq, gte, lt, schema, sql } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const { recognitionEvents, cameras, subjects, unknownFaceCounts } = schema;
const PAGE = 50;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Who was recognised where: consenting people only, by pseudonym, one row per visit (first and
 * last seen, sightings, best score). Unknown faces are never recorded, only counted per camera
 * and minute; the feed gives the site's count for the last hour. A visit's snapshot (sites opt
 * in; every other face blurred) is served by /api/recognition/[eventId]/snapshot.
 */
export const recognitionRouter = router({
  feed: orgProcedure("operator")
    .input(z.object({ siteId: z.uuid(), cursor: z.number().int().positive().nullish() }))
    .query(async ({ ctx, input }) => {
      await requireSite(ctx.db, ctx.org.id, input.siteId);
      const recognitions = ctx.db
        .select({
          id: recognitionEvents.id,
          at: recognitionEvents.at,
          lastSeenAt: sql<Date>`coalesce(${recognitionEvents.lastSeenAt}, ${recognitionEvents.at})`.mapWith(
            recognitionEvents.at,
          ),
          sightings: recognitionEvents.sightings,
          score: recognitionEvents.score,
          // Whether there is one; where it is stays on the server.
          hasSnapshot: sql<boolean>`${recognitionEvents.snapshotPath} is not null`,
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
      const unknownFaces = ctx.db
        .select({ total: sql<number>`coalesce(sum(${unknownFaceCounts.count}), 0)`.mapWith(Number) })
        .from(unknownFaceCounts)
        .innerJoin(cameras, eq(cameras.id, unknownFaceCounts.cameraId))
        .where(
          and(
            eq(cameras.orgId, ctx.org.id),
            eq(cameras.siteId, input.siteId),
            gte(unknownFaceCounts.minute, new Date(Date.now() - HOUR_MS)),
          ),
        );
      const [rows, [unknown]] = await Promise.all([recognitions, unknownFaces]);
      return {
        items: rows.slice(0, PAGE),
        nextBefore: rows.length > PAGE ? rows[PAGE - 1]?.id : undefined,
        /** Faces at the site's cameras that matched nobody in the last hour: a count, nothing else exists. */
        unknownFacesLastHour: unknown?.total ?? 0,
      };
    }),

  /** Where an event's snapshot is, for the route that serves it to operators and up; each look is audited. */
  snapshot: orgProcedure("operator")
    .input(z.object({ eventId: z.number().int().positive() }))
    .query(({ ctx, input }) => findEventSnapshot({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, input)),
});
