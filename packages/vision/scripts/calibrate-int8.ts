// Measures the activation ranges that scripts/feature-int8.mjs quantises fr_feature with, and writes them to
// src/fr_feature.int8-calibration.json (committed: the derivation must give the same bytes everywhere).
// Faces: every face of the fixture photos, aligned as the analyzer aligns them, and its mirror image, run through
// the simplified float graph with every tensor as an output.
// Run: tsx packages/vision/scripts/calibrate-int8.ts (then `npm run models -w @consentry/vision` re-derives the
// model; pin its new SHA-256 in src/model-manifest.json).
import { writeFileSync } from "node:fs";
import * as ort from "onnxruntime-node";
import { createFaceAnalyzer } from "../src/analyzer";
import { ALIGNED_FACE_SIZE, alignFace, writeFacePlanes } from "../src/embedder";
import { decodeImage, type RgbImage } from "../src/image";
import { MODELS, readVerifiedModel } from "../src/models";
import { fixtureImages } from "../src/testing";
import { activationQuantization, CALIBRATION_FILE, calibratedTensors, simplifyFeatureGraph } from "./feature-int8.mjs";
import { DataType, encodeModel } from "./onnx-graph.mjs";

function mirrored(face: RgbImage): RgbImage {
  const data = new Uint8Array(face.data.length);
  for (let y = 0; y < face.height; y++) {
    for (let x = 0; x < face.width; x++) {
      const from = (y * face.width + x) * 3;
      const to = (y * face.width + face.width - 1 - x) * 3;
      data.set(face.data.subarray(from, from + 3), to);
    }
  }
  return { ...face, data };
}

const analyzer = await createFaceAnalyzer({ embeddingModel: MODELS.embeddingFloat });
const faces: RgbImage[] = [];
try {
  for (const fixture of fixtureImages()) {
    const image = await decodeImage(fixture.path);
    for (const face of await analyzer.detect(image)) {
      const aligned = alignFace(image, face.landmarks);
      faces.push(aligned, mirrored(aligned));
    }
  }
} finally {
  await analyzer.close();
}

const graph = simplifyFeatureGraph(await readVerifiedModel(MODELS.embeddingFloat));
const tensors: string[] = calibratedTensors(graph);
const probe = { ...graph, outputs: tensors.map((name) => ({ name, elemType: DataType.FLOAT, shape: null })) };
const session = await ort.InferenceSession.create(encodeModel(probe), { intraOpNumThreads: 1 });
const input = new Float32Array(3 * ALIGNED_FACE_SIZE * ALIGNED_FACE_SIZE);
async function forEachTensor(visit: (name: string, values: Float32Array) => void) {
  for (const face of faces) {
    writeFacePlanes(face, input);
    const outputs = await session.run({
      input: new ort.Tensor("float32", input, [...MODELS.embeddingFloat.inputShape]),
    });
    for (const name of tensors) visit(name, outputs[name]?.data as Float32Array);
  }
}

const extremes = new Map(
  tensors.map((name) => [name, { min: Number.POSITIVE_INFINITY, max: Number.NEGATIVE_INFINITY }]),
);
await forEachTensor((name, values) => {
  const extreme = extremes.get(name) as { min: number; max: number };
  for (const value of values) {
    if (value < extreme.min) extreme.min = value;
    if (value > extreme.max) extreme.max = value;
  }
});
const BINS = 2048;
const histograms = new Map(tensors.map((name) => [name, new Float64Array(BINS)]));
await forEachTensor((name, values) => {
  const { min, max } = extremes.get(name) as { min: number; max: number };
  const histogram = histograms.get(name) as Float64Array;
  const width = (max - min) / BINS || 1;
  for (const value of values) {
    const bin = Math.min(BINS - 1, Math.floor((value - min) / width));
    histogram[bin] = (histogram[bin] as number) + 1;
  }
});
await session.release();

/**
 * The range whose quantisation error (squared, over the histogram) is least: a few outliers would otherwise
 * spread the 256 levels thin. Measured against plain min/max: embeddings closer to the float ones (mean cosine
 * 0.977 against 0.974 on photo and clip faces) and the weakest frontal clip frame at 0.49 instead of 0.46.
 */
function rangeWithLeastError(histogram: Float64Array, { min, max }: { min: number; max: number }): [number, number] {
  const width = (max - min) / BINS;
  const squaredError = (low: number, high: number) => {
    const { scale, zeroPoint } = activationQuantization([low, high]);
    let sum = 0;
    for (let bin = 0; bin < BINS; bin++) {
      const count = histogram[bin] as number;
      if (count === 0) continue;
      const value = min + (bin + 0.5) * width;
      const level = Math.min(255, Math.max(0, Math.round(value / scale) + zeroPoint));
      sum += count * (value - (level - zeroPoint) * scale) ** 2;
    }
    return sum;
  };
  // Candidates clip up to half of each side, in steps of 16 bins; a side that does not cross zero stays put.
  const candidates = (end: number) =>
    Array.from({ length: BINS / 32 + 1 }, (_, step) => end - Math.sign(end) * step * 16 * width);
  let best: [number, number] = [min, max];
  let bestError = squaredError(min, max);
  for (const low of min < 0 ? candidates(min) : [min]) {
    for (const high of max > 0 ? candidates(max) : [max]) {
      const error = squaredError(low, high);
      if (error < bestError) [best, bestError] = [[low, high], error];
    }
  }
  return best;
}

// Six significant digits keep the file readable; the ranges move by a millionth at most.
const rounded = (value: number) => Number(value.toPrecision(6));
const calibration = {
  about: "uint8 activation ranges [min, max] for fr_feature_int8.onnx; written by scripts/calibrate-int8.ts",
  from: { [MODELS.embeddingFloat.file]: MODELS.embeddingFloat.sha256 },
  faces: faces.length,
  ranges: Object.fromEntries(
    tensors.map((name) => {
      const [low, high] = rangeWithLeastError(
        histograms.get(name) as Float64Array,
        extremes.get(name) as { min: number; max: number },
      );
      return [name, [rounded(low), rounded(high)]];
    }),
  ),
};
// One range a line, as biome formats it.
const json = JSON.stringify(calibration, null, 2).replace(/\[\s+(\S+),\s+(\S+)\s+\]/g, "[$1, $2]");
writeFileSync(CALIBRATION_FILE, `${json}\n`);
console.log(`calibrate-int8: ${tensors.length} tensors over ${faces.length} faces written to ${CALIBRATION_FILE}`);
