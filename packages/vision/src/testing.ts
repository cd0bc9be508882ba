// Paths to the face fixtures (packages/fixtures), for tests, calibration and the benchmark (not for production code).
import { spawnSync } from "node:child_process";
import { readFileSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { FIXTURES_DIR, HAMILTON_CLIP } from "@consentry/fixtures";

export { FIXTURES_DIR, HAMILTON_CLIP } from "@consentry/fixtures";

export const REPO_ROOT = fileURLToPath(new URL("../../..", import.meta.url));

export interface FixtureImage {
  /** Relative to FIXTURES_DIR, e.g. "faces/obama.jpg". */
  readonly name: string;
  readonly path: string;
  readonly faces: number;
  /** Left to right; "unknown" for people without a name. */
  readonly identities: readonly string[];
}

export function fixtureImages(): FixtureImage[] {
  const groundTruth = JSON.parse(readFileSync(path.join(FIXTURES_DIR, "faces.json"), "utf8")) as {
    images: Record<string, { faces: number; identities: string[] }>;
  };
  return Object.entries(groundTruth.images).map(([name, { faces, identities }]) => ({
    name,
    path: path.join(FIXTURES_DIR, name),
    faces,
    identities,
  }));
}

export const fixturePath = (name: string) => path.join(FIXTURES_DIR, "faces", name);

export const CLIP_WIDTH = 640;
export const CLIP_HEIGHT = 360;

/**
 * Decodes the clip to rgb24 frames with ffmpeg (which must be on PATH) into `rawFile`, at `fps` frames per
 * second or the clip's own rate; returns the number of frames.
 */
export function decodeClipToRawFile(rawFile: string, options: { fps?: number } = {}): number {
  const filters = options.fps ? ["-vf", `fps=${options.fps}`] : [];
  const args = [
    "-v",
    "error",
    "-y",
    "-i",
    HAMILTON_CLIP,
    ...filters,
    "-an",
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    rawFile,
  ];
  const result = spawnSync("ffmpeg", args, { encoding: "utf8" });
  if (result.error) throw new Error(`cannot run ffmpeg: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr.trim()}`);
  return statSync(rawFile).size / (CLIP_WIDTH * CLIP_HEIGHT * 3);
}

/** Reads frame `index` of a raw rgb24 clip file into `target` (reused across frames). */
export function readRawFrame(fileDescriptor: number, index: number, target: Uint8Array): Uint8Array {
  const bytes = CLIP_WIDTH * CLIP_HEIGHT * 3;
  const read = readSync(fileDescriptor, target, 0, bytes, index * bytes);
  if (read !== bytes) throw new Error(`frame ${index}: read ${read} of ${bytes} bytes`);
  return target;
}

/** Numbers in (0, 1) from a seeded generator (mulberry32), and standard normal ones from them (Box-Muller): the same every run. */
export function seededRandom(seed: number) {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 1) / 4294967297;
  };
  const gaussian = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, gaussian };
}
