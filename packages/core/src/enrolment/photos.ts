import { and, type Database, eq, inArray, schema } from "@consentry/db";
import type { FileStore } from "@consentry/storage";
import { z } from "zod";
import { removeUnsharedPhotoFiles } from "../photo-files";
import { ENROLMENT_BLOCKS, type EnrolmentBlock } from "./guard";

const { enrolmentPhotos, retentionPolicies } = schema;

/**
 * What became of a photo, kept by upload position in `enrolments.photo_outcomes` because refused
 * and spent photos are deleted. "pending": not decided yet, or never (the enrolment was stopped).
 */
export const PHOTO_OUTCOMES = ["pending", "accepted", "noFace", "severalFaces", "unreadable"] as const;
export type PhotoOutcome = (typeof PHOTO_OUTCOMES)[number];
export type PhotoRejection = Exclude<PhotoOutcome, "pending" | "accepted">;

const recordedOutcomes = z.object({
  photoOutcomes: z.array(z.enum(PHOTO_OUTCOMES)),
  stoppedBecause: z.enum(ENROLMENT_BLOCKS).nullable(),
});

/** An enrolment's `photo_outcomes` and `stopped_because`, typed; a value the job never writes throws. */
export function recordedEnrolmentOutcomes(row: { photoOutcomes: string[]; stoppedBecause: string | null }): {
  photoOutcomes: PhotoOutcome[];
  stoppedBecause: EnrolmentBlock | null;
} {
  return recordedOutcomes.parse({ photoOutcomes: row.photoOutcomes, stoppedBecause: row.stoppedBecause });
}

/** Days the site keeps accepted enrolment photos for re-enrolment; 0 (also without a policy row): none. */
export async function photoRetentionDays(db: Database, siteId: string): Promise<number> {
  const [policy] = await db
    .select({ days: retentionPolicies.days })
    .from(retentionPolicies)
    .where(and(eq(retentionPolicies.siteId, siteId), eq(retentionPolicies.kind, "enrolment_photos")));
  return policy?.days ?? 0;
}

/**
 * Deletes enrolment photos: files first, then rows, so a crash in between leaves rows whose files
 * are gone and the retry removes them again (a no-op). Content-addressed storage: a file another
 * photo row also points to stays. Returns the number of rows deleted.
 */
export async function deleteEnrolmentPhotos(
  deps: { db: Database; storage: FileStore },
  photoIds: readonly string[],
): Promise<number> {
  if (photoIds.length === 0) return 0;
  const { db, storage } = deps;
  const ids = [...photoIds];
  const leaving = await db
    .select({ id: enrolmentPhotos.id, key: enrolmentPhotos.storageKey })
    .from(enrolmentPhotos)
    .where(inArray(enrolmentPhotos.id, ids));
  await removeUnsharedPhotoFiles(db, storage, leaving);
  const deleted = await db
    .delete(enrolmentPhotos)
    .where(inArray(enrolmentPhotos.id, ids))
    .returning({ id: enrolmentPhotos.id });
  return deleted.length;
}
