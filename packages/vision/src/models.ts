import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as ort from "onnxruntime-node";
import manifest from "./model-manifest.json" with { type: "json" };

export type ModelFile = keyof typeof manifest.files | keyof typeof manifest.derived;

/** onnxruntime's graph optimisation levels; which is fastest differs per model (README, Models). */
export type GraphOptimizationLevel = "basic" | "extended" | "all";

export interface ModelSpec {
  /** Short id, also the file name without `.onnx`. */
  readonly id: string;
  /**
   * Id plus the package version that shipped the weights, and for a derived model the first 8 hex digits of its
   * SHA-256; embeddings are tagged with this.
   */
  readonly version: string;
  readonly file: ModelFile;
  readonly sha256: string;
  /** NCHW input shape. */
  readonly inputShape: readonly [number, number, number, number];
  /** The int8 embedder takes the image bytes; the float models take normalised values. */
  readonly inputType: "float32" | "uint8";
  readonly optimizationLevel: GraphOptimizationLevel;
}

const SOURCE_VERSION = `faceplugin-${manifest.package.split("@").pop()}`;

type SpecOptions = Pick<ModelSpec, "inputShape" | "inputType" | "optimizationLevel">;

function fetchedModel(file: keyof typeof manifest.files, options: SpecOptions): ModelSpec {
  const id = file.replace(/\.onnx$/, "");
  return { id, version: `${id}@${SOURCE_VERSION}`, file, sha256: manifest.files[file].sha256, ...options };
}

/** A model that scripts/fetch-models.mjs derives from a fetched one (manifest `derived`). */
function derivedModel(file: keyof typeof manifest.derived, options: SpecOptions): ModelSpec {
  const id = file.replace(/\.onnx$/, "");
  const { sha256 } = manifest.derived[file];
  return { id, version: `${id}@${SOURCE_VERSION}+${sha256.slice(0, 8)}`, file, sha256, ...options };
}

const NCHW_FACE = [1, 3, 112, 112] as const;

export const MODELS = {
  detector: fetchedModel("fr_detect.onnx", {
    inputShape: [1, 3, 240, 320],
    inputType: "float32",
    optimizationLevel: "all",
  }),
  landmarks: fetchedModel("fr_landmark.onnx", {
    inputShape: [1, 1, 64, 64],
    inputType: "float32",
    optimizationLevel: "all",
  }),
  /** fr_feature simplified and quantised to int8 (scripts/feature-int8.mjs); what the analyzer uses by default. */
  embedding: derivedModel("fr_feature_int8.onnx", {
    inputShape: NCHW_FACE,
    inputType: "uint8",
    optimizationLevel: "all",
  }),
  /**
   * The float model as published, for comparisons. "extended", not "all": its pruned weights are denormal
   * numbers, which the layouts of "all" run about 3x slower on Intel CPUs.
   */
  embeddingFloat: fetchedModel("fr_feature.onnx", {
    inputShape: NCHW_FACE,
    inputType: "float32",
    optimizationLevel: "extended",
  }),
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
  /** Defaults to the spec's own level; the benchmark sets it to compare levels. */
  optimizationLevel?: GraphOptimizationLevel;
}

/** Creates an inference session from the verified bytes, so the file cannot change between check and load. */
export async function loadModelSession(spec: ModelSpec, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const bytes = await readVerifiedModel(spec, options.modelsDir);
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: options.optimizationLevel ?? spec.optimizationLevel,
    // Idle pool threads would otherwise spin on the core that pre-processing and the event loop need: with
    // two threads and spinning on, the JS warps ran twice as slow on a 2-core machine.
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  });
}
