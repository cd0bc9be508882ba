import { requireSite, requireSubject } from "@consentry/core";
import { checkEnrolment, ENROLMENT_PHOTO_CONTEXT } from "@consentry/core/enrolment";
import { fieldError } from "@consentry/core/errors";
import { photoBytes } from "@consentry/core/validators";
import { encryptBytes } from "@consentry/crypto";
import { and, asc, desc, eq, inArray, schema } from "@consentry/db";
import { ImageRejectedError, sanitizeImage } from "@consentry/storage";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

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
      return rows.map((row) => ({ ...row, photos: photos.filter((photo) => photo.enrolmentId === row.id) }));
    }),

  create: orgProcedure("manager")
    .input(
      z.object({
        subjectId: z.uuid(),
        siteId: z.uuid(),
        photos: z.array(photoBytes).min(1).max(MAX_ENROLMENT_PHOTOS),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const subject = await requireSubject(ctx.db, ctx.org.id, input.subjectId);
      await requireSite(ctx.db, ctx.org.id, input.siteId);
      const eligibility = await checkEnrolment(ctx.db, { ...input, orgId: ctx.org.id });
      if ("refusal" in eligibility) {
        const { reason, message } = eligibility.refusal;
        throw fieldError("refused", "siteId", reason, message);
      }
      // Every photo must be readable before anything is stored: a bad file changes nothing.
      const cleaned = [];
      for (const [index, photo] of input.photos.entries()) {
        try {
          cleaned.push(await sanitizeImage(photo, { maxEdge: 1600 }));
        } catch (error) {
          if (!(error instanceof ImageRejectedError)) throw error;
          throw fieldError("invalid", "photos", error.reason, `Photo ${index + 1}: ${error.message}`);
        }
      }
      const stored = await Promise.all(
        cleaned.map((image) =>
          ctx.storage.put("enrolment-photo", Buffer.from(encryptBytes(image.bytes, ENROLMENT_PHOTO_CONTEXT)), "bin"),
        ),
      );
      const enrolment = await ctx.db.transaction(async (tx) => {
        const [row] = await tx
          .insert(enrolments)
          .values({
            orgId: ctx.org.id,
            subjectId: subject.id,
            siteId: input.siteId,
            consentId: eligibility.consentId,
          })
          .returning({ id: enrolments.id });
        if (!row) throw new Error("insert returned no row");
        await tx.insert(enrolmentPhotos).values(
          stored.map(({ key }, position) => ({
            enrolmentId: row.id,
            subjectId: subject.id,
            storageKey: key,
            position,
          })),
        );
        await audit(tx, ctx, {
          action: "enrolment.create",
          targetType: "subject",
          targetId: subject.id,
          details: { pseudonym: subject.pseudonym, siteId: input.siteId, enrolmentId: row.id, photos: stored.length },
        });
        return row;
      });
      // After commit, so the worker always finds the rows; a failed enqueue is reported.
      const queued = await ctx.jobs.enrol(enrolment.id).then(
        () => true,
        () => false,
      );
      return { id: enrolment.id, photos: stored.length, queued };
    }),
});
