import { beforeAll, describe, expect, it } from "vitest";
import { createFaceAnalyzer } from "./analyzer";
import { binomialQuantile, EXACT_SCAN_BELOW, GalleryIndex } from "./gallery-index";
import { prepareTemplates } from "./gallery-sketch";
import { hammingScan, wasmMemory } from "./hamming-scan";
import { decodeImage } from "./image";
import { cosineSimilarity, DEFAULT_MATCH_THRESHOLD, type FaceTemplate, ModelMismatchError } from "./match";
import { fixtureImages, seededRandom } from "./testing";

// Real embeddings of the fixture faces, hidden among synthetic distractors: random unit vectors, and copies of
// the real faces turned to a chosen cosine from them, many just around the threshold (the hard neighbours).

type Person = FaceTemplate & { identity: string };
const real: Person[] = [];
let modelId: string;
const DIMENSIONS = 512;

beforeAll(async () => {
  const analyzer = await createFaceAnalyzer({ threads: 1 });
  try {
    for (const fixture of fixtureImages()) {
      const faces = (await analyzer.analyze(await decodeImage(fixture.path))).sort((a, b) => a.box[0] - b.box[0]);
      for (const [i, face] of faces.entries()) {
        const identity = fixture.identities[i] ?? "unknown";
        real.push({
          embedding: face.embedding,
          modelId: face.modelId,
          identity: identity === "unknown" ? `${fixture.name}#${i}` : identity,
        });
      }
    }
    modelId = analyzer.modelId;
  } finally {
    await analyzer.close();
  }
}, 120_000);

/** Seeded so that a failure repeats (mulberry32). */
function seeded(seed: number) {
  const { uniform, gaussian } = seededRandom(seed);
  const unitVector = () => normalised(Float32Array.from({ length: DIMENSIONS }, gaussian));
  /** A unit vector at exactly `cosine` from `base` (up to float rounding). */
  const turned = (base: Float32Array, cosine: number) => {
    const b = normalised(Float32Array.from(base));
    const other = unitVector();
    const along = dot(other, b);
    const orthogonal = normalised(other.map((value, i) => value - along * (b[i] as number)));
    const sine = Math.sqrt(1 - cosine * cosine);
    return normalised(b.map((value, i) => cosine * value + sine * (orthogonal[i] as number)));
  };
  return { uniform, unitVector, turned };
}

function dot(a: Float32Array, b: Float32Array) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] as number) * (b[i] as number);
  return sum;
}

function normalised(vector: Float32Array) {
  const norm = Math.sqrt(dot(vector, vector));
  return vector.map((value) => value / norm);
}

/** The exhaustive answer: the best row at or above the threshold, by cosineSimilarity on the originals. */
function exactBest(gallery: readonly Person[], probe: FaceTemplate, threshold: number) {
  let best: { row: number; similarity: number } | null = null;
  for (const [row, entry] of gallery.entries()) {
    const similarity = cosineSimilarity(probe, entry);
    if (similarity >= threshold && (!best || similarity > best.similarity)) best = { row, similarity };
  }
  return best;
}

describe("GalleryIndex at scale, against an exhaustive search", { timeout: 120_000 }, () => {
  it("finds every match the exhaustive search finds, with its exact cosine, and nothing below the threshold", () => {
    const { uniform, unitVector, turned } = seeded(18);
    const threshold = DEFAULT_MATCH_THRESHOLD;
    const gallery: Person[] = [...real];
    // Hard neighbours: 40 copies of each real face between 0.35 and 0.75 from it, so that probes near a real
    // face have many templates on both sides of the threshold.
    for (const person of real) {
      for (let k = 0; k < 40; k++) {
        gallery.push({
          embedding: turned(person.embedding, 0.35 + 0.4 * uniform()),
          modelId,
          identity: `${person.identity}~${k}`,
        });
      }
    }
    while (gallery.length < 10_000)
      gallery.push({ embedding: unitVector(), modelId, identity: `random-${gallery.length}` });
    // Shuffled, so that the real faces are not the first rows.
    for (let i = gallery.length - 1; i > 0; i--) {
      const j = Math.floor(uniform() * (i + 1));
      [gallery[i], gallery[j]] = [gallery[j] as Person, gallery[i] as Person];
    }
    const index = new GalleryIndex<number>(modelId, DIMENSIONS, 1000);
    for (const [row, entry] of gallery.entries()) index.add(entry, row);
    expect(index.size).toBeGreaterThanOrEqual(EXACT_SCAN_BELOW);

    const probes: FaceTemplate[] = [
      ...real, // every real face: itself, and the other photos of the same person, are in the gallery
      ...real.flatMap((person) =>
        [0.44, 0.46, 0.5, 0.6].map((cosine) => ({ embedding: turned(person.embedding, cosine), modelId })),
      ),
      ...Array.from({ length: 200 }, () => ({
        embedding: turned(
          gallery[Math.floor(uniform() * gallery.length)]?.embedding as Float32Array,
          0.45 + 0.1 * uniform(),
        ),
        modelId,
      })),
      ...Array.from({ length: 100 }, () => ({ embedding: unitVector(), modelId })),
    ];
    let matched = 0;
    for (const probe of probes) {
      const expected = exactBest(gallery, probe, threshold);
      const found = index.best(probe, threshold);
      if (!expected) {
        expect(found).toBeNull();
        continue;
      }
      matched++;
      expect(found?.subjectId).toBe(expected.row);
      expect(found?.similarity).toBeCloseTo(expected.similarity, 6);
      expect(found?.similarity).toBeGreaterThanOrEqual(threshold);
    }
    // All but the strangers and (mostly) the faces turned to 0.44 have a match.
    expect(matched).toBeGreaterThan(250);
  });

  it("finds each fixture person under their own name among 5,000 distractors", () => {
    const { unitVector } = seeded(7);
    const index = new GalleryIndex<string>(modelId, DIMENSIONS);
    const named = real.filter((person) => !person.identity.includes("#"));
    const enrolled = new Map<string, Person>();
    for (const person of named) if (!enrolled.has(person.identity)) enrolled.set(person.identity, person);
    for (const [identity, person] of enrolled) index.add(person, identity);
    for (let i = 0; i < 5000; i++) index.add({ embedding: unitVector(), modelId }, `random-${i}`);
    for (const person of named) expect(index.best(person, DEFAULT_MATCH_THRESHOLD)?.subjectId).toBe(person.identity);
  });
});

describe("GalleryIndex rules", () => {
  const template = (values: number[], model = "model@1"): FaceTemplate => ({
    embedding: Float32Array.from(values),
    modelId: model,
  });

  it("returns null for an empty gallery, and the best entry at or above the threshold with its cosine", () => {
    const index = new GalleryIndex<string>("model@1", 2);
    expect(index.best(template([1, 0]), 0)).toBeNull();
    index.add(template([1, 0]), "a");
    index.add(template([0.8, 0.6]), "b");
    expect(index.best(template([0.6, 0.8]), 0.5)).toEqual({ subjectId: "b", similarity: expect.closeTo(0.96, 6) });
    expect(index.best(template([0.6, 0.8]), 0.97)).toBeNull();
    // Not normalised on the way in: still the cosine.
    expect(index.best(template([3, 4]), 0.5)?.similarity).toBeCloseTo(0.96, 6);
  });

  it("refuses templates and probes of another model", () => {
    const index = new GalleryIndex<string>("model@1", 2);
    expect(() => index.add(template([1, 0], "model@2"), "a")).toThrow(ModelMismatchError);
    index.add(template([1, 0]), "a");
    expect(() => index.best(template([1, 0], "model@2"), 0.5)).toThrow(/re-enrol templates after a model change/);
    expect(() => index.best(template([1, 0, 0]), 0.5)).toThrow(/embedding lengths differ/);
  });

  it("grows past its initial capacity and keeps every row", () => {
    const { unitVector } = seeded(3);
    const index = new GalleryIndex<number>("m", DIMENSIONS, 1);
    const vectors = Array.from({ length: 3000 }, unitVector);
    for (const [row, embedding] of vectors.entries()) index.add({ embedding, modelId: "m" }, row);
    index.trim();
    for (const row of [0, 1, 1499, 2999]) {
      expect(index.best({ embedding: vectors[row] as Float32Array, modelId: "m" }, 0.99)).toEqual({
        subjectId: row,
        similarity: expect.closeTo(1, 6),
      });
    }
  });
});

describe("loading in another thread", () => {
  it("gives the same answers from prepared rows as from rows added one by one", () => {
    const { unitVector, turned } = seeded(5);
    const vectors = Array.from({ length: 3000 }, unitVector);
    const added = new GalleryIndex<number>("m", DIMENSIONS);
    for (const [row, embedding] of vectors.entries()) added.add({ embedding, modelId: "m" }, row);
    const prepared = new GalleryIndex<number>("m", DIMENSIONS);
    prepared.add({ embedding: vectors[0] as Float32Array, modelId: "m" }, 0);
    // Not normalised: preparation does that.
    const matrix = new Float32Array((vectors.length - 1) * DIMENSIONS);
    for (const [row, embedding] of vectors.slice(1).entries())
      matrix.set(
        embedding.map((value) => 3 * value),
        row * DIMENSIONS,
      );
    prepared.addPrepared(
      prepareTemplates(prepared.preparation, matrix),
      vectors.slice(1).map((_, i) => i + 1),
    );
    expect(prepared.size).toBe(vectors.length);
    for (let i = 0; i < 100; i++) {
      const probe = { embedding: turned(vectors[i * 29] as Float32Array, 0.5), modelId: "m" };
      const expected = added.best(probe, DEFAULT_MATCH_THRESHOLD);
      expect(expected?.subjectId).toBe(i * 29);
      expect(prepared.best(probe, DEFAULT_MATCH_THRESHOLD)).toEqual({
        subjectId: i * 29,
        similarity: expect.closeTo(expected?.similarity as number, 6),
      });
    }
    expect(() =>
      prepared.addPrepared(
        prepareTemplates({ ...prepared.preparation, modelId: "other" }, new Float32Array(DIMENSIONS)),
        [1],
      ),
    ).toThrow(ModelMismatchError);
  });
});

describe("sketch filter parts", () => {
  it("scans Hamming distances in WebAssembly as a plain popcount does", () => {
    const words = 16;
    const rows = 500;
    const memory = wasmMemory(2);
    const scan = hammingScan(words, memory);
    const rowBytes = words * 8;
    const bytes = new Uint8Array(memory.buffer, 0, rowBytes * (rows + 1));
    const { uniform } = seeded(11);
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(uniform() * 256);
    const popcount = (byte: number) => byte.toString(2).replaceAll("0", "").length;
    const distances = Array.from({ length: rows }, (_, row) => {
      let distance = 0;
      for (let i = 0; i < rowBytes; i++)
        distance += popcount((bytes[i] as number) ^ (bytes[rowBytes * (row + 1) + i] as number));
      return distance;
    });
    const cutoff = 500;
    const out = rowBytes * (rows + 1);
    const count = scan(rowBytes, rows, cutoff, out);
    const pairs = new Uint32Array(memory.buffer, out, 2 * count);
    const expected = distances.flatMap((distance, row) => (distance <= cutoff ? [row, distance] : []));
    expect(expected.length).toBeGreaterThan(100);
    expect(expected.length).toBeLessThan(2 * rows - 100);
    expect([...pairs]).toEqual(expected);
    expect(scan(rowBytes, 0, cutoff, out)).toBe(0);
  });

  it("takes binomial tails", () => {
    // Binomial(10, 0.5): P(X > 8) = 11/1024, P(X > 7) = 56/1024.
    expect(binomialQuantile(10, 0.5, 0.05)).toBe(8);
    expect(binomialQuantile(10, 0.5, 0.011)).toBe(8);
    expect(binomialQuantile(10, 0.5, 0.01)).toBe(9);
    expect(binomialQuantile(1024, 0, 1e-9)).toBe(0);
  });
});
