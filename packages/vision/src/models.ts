import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import manifest from "./model-manifest.json" with { type: "json" };

export type ModelFile = keyof typeof manifest.files;

export interface ModelSpec {
  /** Short id, also the file name without `.onnx`. */
  readonly id: string;
  /** Id plus the package version that shipped the weights; embeddings are tagged with this. */
  readonly version: string;
  readonly file: ModelFile;
  readonly sha256: string;
  /** NCHW input shape. */
  readonly inputShape: readonly [number, number, number, number];
}

const SOURCE_VERSION = `faceplugin-${manifest.package.split("@").pop()}`;

function modelSpec(file: ModelFile, inputShape: ModelSpec["inputShape"]): ModelSpec {
  const id = file.replace(/\.onnx$/, "");
  return { id, version: `${id}@${SOURCE_VERSION}`, file, sha256: manifest.files[file].sha256, inputShape };
}

export const MODELS = {
  detector: modelSpec("fr_detect.onnx", [1, 3, 240, 320]),
  landmarks: modelSpec("fr_landmark.onnx", [1, 1, 64, 64]),
  embedding: modelSpec("fr_feature.onnx", [1, 3, 112, 112]),
} as const satisfies Record<string, ModelSpec>;

/** Where `npm run models -w @consentry/vision` puts the files. */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL("../models", import.meta.url));

export class ModelIntegrityError extends Error {
  override readonly name = "ModelIntegrityError";
  constructor(
    readonly modelId: string,
    readonly filePath: string,
    readonly reason: "missing" | "hash_mismatch",
    message: string,
  ) {
    super(message);
  }
}

/** Reads a model file and checks its SHA-256 against the pinned value; returns the verified bytes. */
export async function readVerifiedModel(spec: ModelSpec, modelsDir = DEFAULT_MODELS_DIR): Promise<Uint8Array> {
  const filePath = path.join(modelsDir, spec.file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(filePath);
  } catch {
    throw new ModelIntegrityError(
      spec.id,
      filePath,
      "missing",
      `model ${spec.id} not found at ${filePath}; run \`npm run models -w @consentry/vision\``,
    );
  }
  const actual = createHash("sha256").update(bytes).digest("hex");
  if (actual !== spec.sha256) {
    throw new ModelIntegrityError(
      spec.id,
      filePath,
      "hash_mismatch",
      `model ${spec.id} at ${filePath} has SHA-256 ${actual}, expected ${spec.sha256}; refusing to load it`,
    );
  }
  return bytes;
}

export interface SessionOptions {
  modelsDir?: string;
  /** Intra-op threads; keep processes x threads <= cores. */
  threads?: number;
}

/** Creates an inference session from the verified bytes, so the file cannot change between check and load. */
export async function loadModelSession(spec: ModelSpec, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = await readVerifiedModel(spec, options.modelsDir);
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    // Idle pool threads would otherwise spin on the core that pre-processing and the event loop need: with
    // two threads and spinning on, the JS warps ran twice as slow on a 2-core machine.
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  });
}
