// Usage: tsx packages/vision/src/cli.ts detect <image> | compare <imageA> <imageB> | blur <image> <out.jpg>
// Options: --threads N (onnxruntime intra-op threads, default 1), --models-dir DIR.
// Prints JSON on stdout; on failure one line {"error": "..."} on stderr and a non-zero exit code.
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { createFaceAnalyzer, type Face, type FaceAnalyzer } from "./analyzer";
import { blurFaces } from "./blur";
import { decodeImage, encodeJpeg, type RgbImage } from "./image";
import { cosineSimilarity, DEFAULT_MATCH_THRESHOLD } from "./match";

const USAGE =
  "usage: cli.ts detect <image> | compare <imageA> <imageB> | blur <image> <out.jpg> [--threads N] [--models-dir DIR]";

class UsageError extends Error {}

interface ParsedArguments {
  command: string;
  operands: string[];
  threads: number;
  modelsDir: string | undefined;
}

function parseArguments(argv: readonly string[]): ParsedArguments {
  const operands: string[] = [];
  let threads = 1;
  let modelsDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i] as string;
    if (argument === "--threads") {
      threads = Number(argv[++i]);
      if (!Number.isInteger(threads) || threads < 1) throw new UsageError("--threads needs a positive integer");
    } else if (argument === "--models-dir") {
      modelsDir = argv[++i];
      if (!modelsDir) throw new UsageError("--models-dir needs a folder");
    } else if (argument.startsWith("--")) {
      throw new UsageError(`unknown option ${argument}`);
    } else {
      operands.push(argument);
    }
  }
  const [command = "", ...rest] = operands;
  const expected: Record<string, number> = { detect: 1, compare: 2, blur: 2 };
  if (expected[command] === undefined) throw new UsageError(command ? `unknown command ${command}` : "no command");
  if (rest.length !== expected[command]) throw new UsageError(`${command} takes ${expected[command]} argument(s)`);
  return { command, operands: rest, threads, modelsDir };
}

const round = (value: number, decimals: number) => Number(value.toFixed(decimals));
const area = ({ box }: Face) => (box[2] - box[0]) * (box[3] - box[1]);

function faceJson(face: Face) {
  return {
    box: face.box.map((value) => round(value, 1)),
    score: round(face.score, 4),
    landmarks: face.landmarks.map(([x, y]) => [round(x, 1), round(y, 1)]),
  };
}

async function largestFace(analyzer: FaceAnalyzer, image: RgbImage, file: string): Promise<Face> {
  const faces = await analyzer.detect(image);
  const largest = faces.reduce<Face | undefined>(
    (best, face) => (best && area(best) >= area(face) ? best : face),
    undefined,
  );
  if (!largest) throw new Error(`no face found in ${file}`);
  return largest;
}

async function run(argv: readonly string[]): Promise<unknown> {
  const { command, operands, threads, modelsDir } = parseArguments(argv);
  const [first = "", second = ""] = operands;
  // Decode before loading models, so bad input fails fast.
  const images = await Promise.all(
    (command === "compare" ? [first, second] : [first]).map((file) => decodeImage(file)),
  );
  const analyzer = await createFaceAnalyzer({ threads, modelsDir });
  try {
    const [image, otherImage] = images as [RgbImage, RgbImage | undefined];
    if (command === "detect") return { faces: (await analyzer.detect(image)).map(faceJson) };
    if (command === "compare" && otherImage) {
      const faceA = await largestFace(analyzer, image, first);
      const faceB = await largestFace(analyzer, otherImage, second);
      const similarity = cosineSimilarity(await analyzer.embed(image, faceA), await analyzer.embed(otherImage, faceB));
      return {
        similarity: round(similarity, 4),
        match: similarity >= DEFAULT_MATCH_THRESHOLD,
        threshold: DEFAULT_MATCH_THRESHOLD,
      };
    }
    const faces = await analyzer.detect(image);
    const out = path.resolve(second);
    const jpeg = await encodeJpeg(await blurFaces(image, faces));
    await writeFile(out, jpeg).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`cannot write ${out}${error.code ? ` (${error.code})` : ""}`);
    });
    return { faces: faces.length, out };
  } finally {
    await analyzer.close();
  }
}

try {
  console.log(JSON.stringify(await run(process.argv.slice(2))));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(JSON.stringify(error instanceof UsageError ? { error: message, usage: USAGE } : { error: message }));
  process.exitCode = error instanceof UsageError ? 2 : 1;
}
