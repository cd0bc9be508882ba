/**
 * Cosine threshold for "same person", calibrated on the fixtures with aligned faces (scripts/calibrate.ts,
 * README): different people scored at most 0.295, the same person at least 0.754 in photos and 0.48 to 0.71
 * in frontal frames of the clip. 0.45 leaves 0.155 above the worst impostor pair.
 */
export const DEFAULT_MATCH_THRESHOLD = 0.45;

/** An embedding and the model version that produced it; vectors of different models are not comparable. */
export interface FaceTemplate {
  readonly embedding: Float32Array;
  readonly modelId: string;
}

export interface GalleryEntry<SubjectId = string> extends FaceTemplate {
  readonly subjectId: SubjectId;
}

export interface GalleryMatch<SubjectId = string> {
  readonly subjectId: SubjectId;
  readonly similarity: number;
}

export class ModelMismatchError extends Error {
  override readonly name = "ModelMismatchError";
  constructor(
    readonly expectedModelId: string,
    readonly actualModelId: string,
  ) {
    super(
      `cannot compare a ${actualModelId} template with a ${expectedModelId} one; re-enrol templates after a model change`,
    );
  }
}

/** Cosine similarity in [-1, 1]; throws ModelMismatchError for templates of different models. */
export function cosineSimilarity(first: FaceTemplate, second: FaceTemplate): number {
  if (first.modelId !== second.modelId) throw new ModelMismatchError(first.modelId, second.modelId);
  const a = first.embedding;
  const b = second.embedding;
  if (a.length !== b.length) throw new Error(`embedding lengths differ: ${a.length} and ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  const norms = Math.sqrt(normA * normB);
  return norms > 0 ? dot / norms : 0;
}

/**
 * The most similar gallery entry at or above `threshold`, or null. Throws ModelMismatchError if any entry
 * comes from another model than the probe: a mixed gallery means some templates were never re-enrolled, and
 * skipping them silently would hide that.
 */
export function matchAgainstGallery<SubjectId>(
  probe: FaceTemplate,
  gallery: readonly GalleryEntry<SubjectId>[],
  threshold = DEFAULT_MATCH_THRESHOLD,
): GalleryMatch<SubjectId> | null {
  let best: GalleryMatch<SubjectId> | null = null;
  for (const entry of gallery) {
    const similarity = cosineSimilarity(probe, entry);
    if (similarity >= threshold && (best === null || similarity > best.similarity)) {
      best = { subjectId: entry.subjectId, similarity };
    }
  }
  return best;
}
