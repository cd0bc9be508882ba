import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaceAnalyzer } from "./analyzer";
import { DEFAULT_MODELS_DIR, loadModelSession, MODELS, ModelIntegrityError, readVerifiedModel } from "./models";

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe("model registry", () => {
  it("pins the SHA-256 values published for faceplugin-face-recognition-js@0.0.1 and the derived int8 model", () => {
    // Copied from the project's fixture notes when the models were chosen; the registry must not drift. The int8
    // pin is the output of scripts/feature-int8.mjs (README, Models); feature-int8.test.ts derives it again.
    const published = {
      "fr_detect.onnx": "6c0256ccd3164f844736a401faf936ec2930764a87ae39442180887d0c5c8854",
      "fr_landmark.onnx": "f10b0ba1d2a8a099adefede1ebf3733e44fe370715e7303dbeb7f59c02142258",
      "fr_feature.onnx": "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581",
      "fr_feature_int8.onnx": "5e50a964c66ceb9288bb27c4ed70637359d11885b19af261b5b8a74ad6d52723",
    };
    expect(Object.fromEntries(Object.values(MODELS).map((spec) => [spec.file, spec.sha256]))).toEqual(published);
  });

  it("names each model with the package version that shipped it, and a derived one with its hash", () => {
    expect(MODELS.embedding.version).toBe("fr_feature_int8@faceplugin-0.0.1+5e50a964");
    expect(MODELS.embeddingFloat.version).toBe("fr_feature@faceplugin-0.0.1");
    expect(MODELS.detector.inputShape).toEqual([1, 3, 240, 320]);
    expect(MODELS.landmarks.inputShape).toEqual([1, 1, 64, 64]);
    expect(MODELS.embedding.inputShape).toEqual([1, 3, 112, 112]);
  });

  it.each(Object.entries(MODELS))("loads %s with the input the registry gives", async (_, spec) => {
    const session = await loadModelSession(spec);
    expect(session.inputNames).toEqual(["input"]);
    const metadata = session.inputMetadata[0];
    expect(metadata && "shape" in metadata ? [metadata.type, metadata.shape] : null).toEqual([
      spec.inputType,
      [...spec.inputShape],
    ]);
    await session.release();
  });
});

describe("model integrity", () => {
  let tamperedDir: string;

  beforeAll(async () => {
    tamperedDir = await mkdtemp(path.join(tmpdir(), "vision-models-"));
    // fr_detect intact, fr_landmark and fr_feature_int8 with one byte flipped, fr_feature missing.
    await copyFile(path.join(DEFAULT_MODELS_DIR, MODELS.detector.file), path.join(tamperedDir, MODELS.detector.file));
    for (const spec of [MODELS.landmarks, MODELS.embedding]) {
      const bytes = await readFile(path.join(DEFAULT_MODELS_DIR, spec.file));
      const middle = bytes.length >> 1;
      bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x01, middle);
      await writeFile(path.join(tamperedDir, spec.file), bytes);
    }
  });

  afterAll(async () => {
    await rm(tamperedDir, { recursive: true, force: true });
  });

  it("accepts a file with the pinned hash", async () => {
    const bytes = await readVerifiedModel(MODELS.detector, tamperedDir);
    expect(bytes.length).toBeGreaterThan(1_000_000);
  });

  it("refuses a file whose hash differs", async () => {
    const error = await rejection(readVerifiedModel(MODELS.landmarks, tamperedDir));
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect(error).toMatchObject({ modelId: "fr_landmark", reason: "hash_mismatch" });
    expect((error as Error).message).toMatch(/fr_landmark .* has SHA-256 [0-9a-f]{64}, expected f10b0ba1/);
  });

  it("refuses a derived int8 model whose hash differs", async () => {
    const error = await rejection(readVerifiedModel(MODELS.embedding, tamperedDir));
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect(error).toMatchObject({ modelId: "fr_feature_int8", reason: "hash_mismatch" });
    expect((error as Error).message).toMatch(/fr_feature_int8 .* has SHA-256 [0-9a-f]{64}, expected 5e50a964/);
  });

  it("keeps the analyzer from starting on a corrupted int8 model", async () => {
    const modelsDir = await mkdtemp(path.join(tmpdir(), "vision-models-int8-"));
    try {
      for (const spec of [MODELS.detector, MODELS.landmarks]) {
        await copyFile(path.join(DEFAULT_MODELS_DIR, spec.file), path.join(modelsDir, spec.file));
      }
      await copyFile(path.join(tamperedDir, MODELS.embedding.file), path.join(modelsDir, MODELS.embedding.file));
      const error = await rejection(createFaceAnalyzer({ modelsDir }));
      expect(error).toBeInstanceOf(ModelIntegrityError);
      expect(error).toMatchObject({ modelId: "fr_feature_int8", reason: "hash_mismatch" });
    } finally {
      await rm(modelsDir, { recursive: true, force: true });
    }
  });

  it("refuses a missing file and says how to fetch it", async () => {
    const error = await rejection(readVerifiedModel(MODELS.embeddingFloat, tamperedDir));
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect(error).toMatchObject({ modelId: "fr_feature", reason: "missing" });
    expect((error as Error).message).toMatch(/npm run models/);
  });

  it("keeps the analyzer from starting on a tampered models folder", async () => {
    const error = await rejection(createFaceAnalyzer({ modelsDir: tamperedDir }));
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect(error).toMatchObject({ modelId: "fr_landmark", reason: "hash_mismatch" });
  });
});
