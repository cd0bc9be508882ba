// Prints every same-person and different-person cosine similarity over the fixture photos (aligned faces),
// the margin between them, and a check on the clip: the enrolled lin-manuel-miranda.png against every face
// in frames sampled at 4 fps. Run: tsx packages/vision/scripts/calibrate.ts [--threads N] [--float]
// (--float: the published float fr_feature instead of the int8 model the analyzer uses).
import { closeSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type AnalyzedFace, createFaceAnalyzer } from "../src/analyzer";
import { decodeImage, rgbFrame } from "../src/image";
import { cosineSimilarity, DEFAULT_MATCH_THRESHOLD } from "../src/match";
import { MODELS } from "../src/models";
import { CLIP_HEIGHT, CLIP_WIDTH, decodeClipToRawFile, fixtureImages, fixturePath, readRawFrame } from "../src/testing";

const threadsFlag = process.argv.indexOf("--threads");
const threads = threadsFlag > 0 ? Number(process.argv[threadsFlag + 1]) : 1;
const embeddingModel = process.argv.includes("--float") ? MODELS.embeddingFloat : MODELS.embedding;
const analyzer = await createFaceAnalyzer({ threads, embeddingModel });
console.log(`embedding model: ${embeddingModel.version}`);

interface LabelledFace {
  label: string;
  identity: string;
  face: AnalyzedFace;
}

const labelled: LabelledFace[] = [];
for (const fixture of fixtureImages()) {
  const faces = (await analyzer.analyze(await decodeImage(fixture.path))).sort((a, b) => a.box[0] - b.box[0]);
  if (faces.length !== fixture.faces)
    throw new Error(`${fixture.name}: found ${faces.length} faces, expected ${fixture.faces}`);
  faces.forEach((face, index) => {
    const label = `${path.basename(fixture.name)}#${index}`;
    const identity = fixture.identities[index] ?? "unknown";
    // Unnamed people are distinct from everyone else.
    labelled.push({ label, identity: identity === "unknown" ? label : identity, face });
  });
}

const same: number[] = [];
const different: number[] = [];
const differentNamed: number[] = [];
const rows: string[] = [];
for (let i = 0; i < labelled.length; i++) {
  for (let j = i + 1; j < labelled.length; j++) {
    const a = labelled[i] as LabelledFace;
    const b = labelled[j] as LabelledFace;
    const similarity = cosineSimilarity(a.face, b.face);
    const isSame = a.identity === b.identity;
    (isSame ? same : different).push(similarity);
    if (!isSame && !a.identity.includes("#") && !b.identity.includes("#")) differentNamed.push(similarity);
    rows.push(`${isSame ? "same" : "diff"}  ${similarity.toFixed(3).padStart(6)}  ${a.label}  ${b.label}`);
  }
}
rows.sort((a, b) => Number(b.slice(6, 12)) - Number(a.slice(6, 12)));
console.log(`All ${rows.length} pairs of ${labelled.length} faces, most similar first:`);
for (const row of rows) console.log(`  ${row}`);

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.floor(q * (values.length - 1))] ?? Number.NaN;
const sameMin = Math.min(...same);
const differentMax = Math.max(...different);
console.log(
  `\nsame person:      ${same.length} pairs, min ${sameMin.toFixed(3)}, values ${same.map((v) => v.toFixed(3)).join(", ")}`,
);
console.log(
  `different people: ${different.length} pairs, max ${differentMax.toFixed(3)}, p95 ${quantile(different, 0.95).toFixed(3)}, mean ${(different.reduce((s, v) => s + v, 0) / different.length).toFixed(3)}`,
);
console.log(
  `different named people (the README's bar): ${differentNamed.length} pairs, max ${Math.max(...differentNamed).toFixed(3)}`,
);
console.log(`margin: ${differentMax.toFixed(3)} .. ${sameMin.toFixed(3)}; threshold in use ${DEFAULT_MATCH_THRESHOLD}`);
if (!(differentMax < DEFAULT_MATCH_THRESHOLD && DEFAULT_MATCH_THRESHOLD <= sameMin)) {
  console.log("WARNING: the threshold in use is outside the margin");
  process.exitCode = 1;
}

// The clip: lin-manuel-miranda on stage until about 8 s, the audience (obama among them) after.
const enrolled = (await analyzer.analyze(await decodeImage(fixturePath("lin-manuel-miranda.png"))))[0];
if (!enrolled) throw new Error("no face in lin-manuel-miranda.png");
const workDir = mkdtempSync(path.join(tmpdir(), "vision-calibrate-"));
try {
  const rawFile = path.join(workDir, "clip.rgb");
  const framesPerSecond = 4;
  const frameCount = decodeClipToRawFile(rawFile, { fps: framesPerSecond });
  const descriptor = openSync(rawFile, "r");
  const buffer = new Uint8Array(CLIP_WIDTH * CLIP_HEIGHT * 3);
  let stageFramesWithFace = 0;
  let stageFramesRecognised = 0;
  let audienceMax = Number.NEGATIVE_INFINITY;
  const stageScores: number[] = [];
  console.log(`\nClip at ${framesPerSecond} fps: similarity of each face to lin-manuel-miranda.png`);
  for (let index = 0; index < frameCount; index++) {
    const seconds = index / framesPerSecond;
    const faces = await analyzer.analyze(rgbFrame(readRawFrame(descriptor, index, buffer), CLIP_WIDTH, CLIP_HEIGHT));
    const scores = faces.map((face) => cosineSimilarity(enrolled, face));
    console.log(`  ${seconds.toFixed(2).padStart(5)} s  ${scores.map((s) => s.toFixed(3)).join("  ")}`);
    if (seconds >= 8) {
      audienceMax = Math.max(audienceMax, ...scores);
    } else if (scores.length > 0) {
      stageFramesWithFace++;
      const best = Math.max(...scores);
      stageScores.push(best);
      if (best >= DEFAULT_MATCH_THRESHOLD) stageFramesRecognised++;
    }
  }
  closeSync(descriptor);
  console.log(
    `stage (< 8 s): recognised in ${stageFramesRecognised} of ${stageFramesWithFace} frames with a face; best per frame ${Math.min(...stageScores).toFixed(3)} .. ${Math.max(...stageScores).toFixed(3)}`,
  );
  console.log(`audience (>= 8 s): highest similarity to lin-manuel-miranda ${audienceMax.toFixed(3)}`);
} finally {
  rmSync(workDir, { recursive: true, force: true });
  await analyzer.close();
}
