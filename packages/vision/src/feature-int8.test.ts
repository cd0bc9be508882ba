import { createHash } from "node:crypto";
import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { derive, simplifyFeatureGraph } from "../scripts/feature-int8.mjs";
import { encodeModel } from "../scripts/onnx-graph.mjs";
import { createFaceAnalyzer } from "./analyzer";
import { alignFace, FaceEmbedder } from "./embedder";
import type { RgbImage } from "./image";
import { decodeImage } from "./image";
import { loadModelSession, MODELS, readVerifiedModel } from "./models";
import { fixtureImages } from "./testing";

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);

describe("fr_feature_int8, derived from fr_feature", () => {
  const faces: RgbImage[] = [];
  const sessions: ort.InferenceSession[] = [];
  let floatBytes: Uint8Array;
  let floatEmbedder: FaceEmbedder;

  // One at a time: an embedder reuses its input buffer.
  async function embedAll(embedder: FaceEmbedder): Promise<Float32Array[]> {
    const embeddings: Float32Array[] = [];
    for (const face of faces) embeddings.push(await embedder.embedAligned(face));
    return embeddings;
  }

  beforeAll(async () => {
    const analyzer = await createFaceAnalyzer({ embeddingModel: MODELS.embeddingFloat });
    try {
      for (const fixture of fixtureImages()) {
        const image = await decodeImage(fixture.path);
        for (const face of await analyzer.detect(image)) faces.push(alignFace(image, face.landmarks));
      }
    } finally {
      await analyzer.close();
    }
    floatBytes = await readVerifiedModel(MODELS.embeddingFloat);
    const floatSession = await loadModelSession(MODELS.embeddingFloat);
    sessions.push(floatSession);
    floatEmbedder = new FaceEmbedder(floatSession, MODELS.embeddingFloat);
  });
  afterAll(async () => {
    await Promise.all(sessions.map((session) => session.release()));
  });

  it("derives to the pinned bytes: the script is deterministic and the pin is its output", () => {
    const derived = derive(floatBytes);
    expect(createHash("sha256").update(derived).digest("hex")).toBe(MODELS.embedding.sha256);
  });

  it("simplifies the float graph without changing what it computes", async () => {
    const simplified = await ort.InferenceSession.create(encodeModel(simplifyFeatureGraph(floatBytes)));
    sessions.push(simplified);
    const expected = await embedAll(floatEmbedder);
    const actual = await embedAll(new FaceEmbedder(simplified, MODELS.embeddingFloat));
    expect(faces.length).toBe(18);
    for (const [i, embedding] of actual.entries()) {
      expect(dot(embedding, expected[i] as Float32Array)).toBeGreaterThan(0.999999);
    }
  });

  it("embeds the fixture faces close to the float model, from the raw bytes", async () => {
    const int8Session = await loadModelSession(MODELS.embedding);
    sessions.push(int8Session);
    const expected = await embedAll(floatEmbedder);
    const actual = await embedAll(new FaceEmbedder(int8Session, MODELS.embedding));
    const similarities = actual.map((embedding, i) => dot(embedding, expected[i] as Float32Array));
    // Measured: 0.988 to 0.996 (README); RGB order instead of BGR gives 0.86.
    expect(Math.min(...similarities)).toBeGreaterThan(0.97);
  });
});
