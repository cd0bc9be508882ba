import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AnalyzedFace, createFaceAnalyzer, type FaceAnalyzer } from "./analyzer";
import { decodeImage } from "./image";
import {
  cosineSimilarity,
  DEFAULT_MATCH_THRESHOLD,
  type FaceTemplate,
  type GalleryEntry,
  ModelMismatchError,
  matchAgainstGallery,
} from "./match";
import { MODELS } from "./models";
import { fixturePath } from "./testing";

let analyzer: FaceAnalyzer;
const faces: Record<string, AnalyzedFace[]> = {};

/** Faces of a fixture, left to right. */
async function facesIn(name: string): Promise<AnalyzedFace[]> {
  const analyzed = await analyzer.analyze(await decodeImage(fixturePath(name)));
  return analyzed.sort((a, b) => a.box[0] - b.box[0]);
}

beforeAll(async () => {
  analyzer = await createFaceAnalyzer();
  for (const name of [
    "obama.jpg",
    "obama2.jpg",
    "biden.jpg",
    "two_people.jpg",
    "lin-manuel-miranda.png",
    "pexels_Test1.jpg",
  ]) {
    faces[name] = await facesIn(name);
  }
});
afterAll(async () => {
  await analyzer?.close();
});

const only = (name: string) => {
  const found = faces[name];
  if (found?.length !== 1) throw new Error(`${name}: expected one face, got ${found?.length}`);
  return found[0] as AnalyzedFace;
};
const two = () => faces["two_people.jpg"] as [AnalyzedFace, AnalyzedFace];

describe("recognition on the fixtures", () => {
  it("tags every embedding with the model that produced it", () => {
    expect(only("obama.jpg").modelId).toBe(MODELS.embedding.version);
    expect(analyzer.modelId).toBe(MODELS.embedding.version);
    const { embedding } = only("obama.jpg");
    expect(embedding).toHaveLength(512);
    expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
  });

  it("matches obama.jpg with obama2.jpg", () => {
    expect(cosineSimilarity(only("obama.jpg"), only("obama2.jpg"))).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
  });

  it("does not match obama.jpg with biden.jpg", () => {
    expect(cosineSimilarity(only("obama.jpg"), only("biden.jpg"))).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
  });

  it("matches the left face of two_people.jpg with Obama and the right one with Biden, not the other way round", () => {
    const [left, right] = two();
    expect(cosineSimilarity(left, only("obama.jpg"))).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
    expect(cosineSimilarity(right, only("biden.jpg"))).toBeGreaterThanOrEqual(DEFAULT_MATCH_THRESHOLD);
    expect(cosineSimilarity(left, only("biden.jpg"))).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
    expect(cosineSimilarity(right, only("obama.jpg"))).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
  });

  it("finds each face of two_people.jpg in a gallery, and nobody for a stranger", () => {
    const gallery: GalleryEntry[] = [
      { subjectId: "obama", ...only("obama2.jpg") },
      { subjectId: "biden", ...only("biden.jpg") },
      { subjectId: "lin-manuel-miranda", ...only("lin-manuel-miranda.png") },
    ];
    const [left, right] = two();
    expect(matchAgainstGallery(left, gallery)?.subjectId).toBe("obama");
    expect(matchAgainstGallery(right, gallery)?.subjectId).toBe("biden");
    expect(matchAgainstGallery(only("pexels_Test1.jpg"), gallery)).toBeNull();
  });
});

describe("matching rules", () => {
  const template = (values: number[], modelId = "model@1"): FaceTemplate => ({
    embedding: Float32Array.from(values),
    modelId,
  });

  it("computes cosine similarity", () => {
    expect(cosineSimilarity(template([1, 0]), template([2, 0]))).toBeCloseTo(1, 9);
    expect(cosineSimilarity(template([1, 0]), template([0, 3]))).toBeCloseTo(0, 9);
    expect(cosineSimilarity(template([1, 1]), template([-1, -1]))).toBeCloseTo(-1, 9);
  });

  it("returns the best entry at or above the threshold", () => {
    const gallery: GalleryEntry[] = [
      { subjectId: "a", ...template([1, 0]) },
      { subjectId: "b", ...template([0.8, 0.6]) },
    ];
    expect(matchAgainstGallery(template([0.6, 0.8]), gallery, 0.5)).toEqual({
      subjectId: "b",
      similarity: expect.closeTo(0.96, 6),
    });
    expect(matchAgainstGallery(template([0.6, 0.8]), gallery, 0.97)).toBeNull();
    expect(matchAgainstGallery(template([1, 0]), [], 0)).toBeNull();
  });

  it("refuses to compare templates of different models", () => {
    expect(() =>
      cosineSimilarity(template([1, 0], "fr_feature@faceplugin-0.0.1"), template([1, 0], "other@2")),
    ).toThrow(ModelMismatchError);
    const mixedGallery: GalleryEntry[] = [
      { subjectId: "a", ...template([1, 0]) },
      { subjectId: "b", ...template([1, 0], "model@2") },
    ];
    expect(() => matchAgainstGallery(template([1, 0]), mixedGallery, 0.5)).toThrow(
      /re-enrol templates after a model change/,
    );
  });
});
