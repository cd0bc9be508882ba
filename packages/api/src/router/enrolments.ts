import { requireSubject } from "@consentry/core";
import { createEnrolment, recordedEnrolmentOutcomes } from "@consentry/core/enrolment";
import { photoBytes } from "@consentry/core/validators";
import { and, asc, desc, eq, inArray, schema } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const { enrolments, enrolmentPhotos } = schema;
export const MAX_ENROLMENT_PHOTOS = 10;

/**
 * Enrolment: photos of a consenting person become face templates. Refused up front, with the
 * rule id, when the rules say no; the photos are stored re-encoded (no metadata) and encrypted,
 * and the `enrollment` job does the face work.
 */
export const enrolmentsRouter = router({
  list: orgProcedure("operator")
    .input(z.object({ subjectId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      await requireSubject(ctx.db, ctx.org.id, input.subjectId);
      const rows = await ctx.db
        .select({
          id: enrolments.id,
          siteId: enrolments.siteId,
          siteName: schema.sites.name,
          status: enrolments.status,
          failureReason: enrolments.failureReason,
          photoOutcomes: enrolments.photoOutcomes,
          stoppedBecause: enrolments.stoppedBecause,
          createdAt: enrolments.createdAt,
          finishedAt: enrolments.finishedAt,
        })
        .from(enrolments)
        .innerJoin(schema.sites, eq(schema.sites.id, enrolments.siteId))
        .where(and(eq(enrolments.subjectId, input.subjectId), eq(enrolments.orgId, ctx.org.id)))
        .orderBy(desc(enrolments.createdAt))
        .limit(50);
      const photos = rows.length
        ? await ctx.db
            .select({
              id: enrolmentPhotos.id,
              enrolmentId: enrolmentPhotos.enrolmentId,
              status: enrolmentPhotos.status,
              rejectionReason: enrolmentPhotos.rejectionReason,
            })
            .from(enrolmentPhotos)
            .where(
              inArray(
                enrolmentPhotos.enrolmentId,
                rows.map((row) => row.id),
              ),
            )
            .orderBy(asc(enrolmentPhotos.position))
        : [];
      // Refused and spent photos are deleted: photoOutcomes says what became of each, by upload
      // position. Enrolments made before it was recorded have it empty and show their photo rows.
      return rows.map((row) => ({
        ...row,
        ...recordedEnrolmentOutcomes(row),
        photos: photos.filter((photo) => photo.enrolmentId === row.id),
      }));
    }),

  create: orgProcedure("manager")
    .input(
      z.object({
        subjectId: z.uuid(),
        siteId: z.uuid(),
        photos: z.array(photoBytes).min(1).max(MAX_ENROLMENT_PHOTOS),
      }),
    )
    .mutation(({ ctx, input }) =>
      createEnrolment({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs, storage: ctx.storage }, input),
    ),
});
