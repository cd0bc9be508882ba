import { type Executor, eq, schema } from "@consentry/db";
import { union } from "./shared";

const { dsrErasures } = schema;

/** What an erasure removed, kept step by step in `dsr_erasures` and certified at the end. */
export type ErasureCounts = {
  templates: number;
  enrolmentPhotos: number;
  photoFiles: number;
  enrolments: number;
  recognitionEvents: number;
  consentsWithdrawn: number;
};

export type ProgressDelta = Partial<ErasureCounts> & { siteIds?: string[]; modelIds?: string[]; photoKeys?: string[] };

/** Adds a step's counts to the request's progress, inside the step's transaction. */
export async function addProgress(tx: Executor, requestId: string, delta: ProgressDelta) {
  const [row] = await tx.select().from(dsrErasures).where(eq(dsrErasures.requestId, requestId)).for("update");
  if (!row) throw new Error(`erasure progress of request ${requestId} is missing`);
  await tx
    .update(dsrErasures)
    .set({
      templates: row.templates + (delta.templates ?? 0),
      enrolmentPhotos: row.enrolmentPhotos + (delta.enrolmentPhotos ?? 0),
      photoFiles: row.photoFiles + (delta.photoFiles ?? 0),
      enrolments: row.enrolments + (delta.enrolments ?? 0),
      recognitionEvents: row.recognitionEvents + (delta.recognitionEvents ?? 0),
      consentsWithdrawn: row.consentsWithdrawn + (delta.consentsWithdrawn ?? 0),
      siteIds: union(row.siteIds, delta.siteIds),
      modelIds: union(row.modelIds, delta.modelIds),
      photoKeys: union(row.photoKeys, delta.photoKeys),
    })
    .where(eq(dsrErasures.requestId, requestId));
}
