import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Frame size, rate and seconds per image of the pre-rendered face slideshow. */
export const SLIDESHOW = { width: 640, height: 480, fps: 25, secondsPerImage: 2 } as const;
/** Bump when the encoding below changes, so cached renders are rebuilt. */
const RENDER_VERSION = "1";
const RENDER_TIMEOUT_MS = 120_000;

const inFlight = new Map<string, Promise<string>>();

/** The face stills in `<fixturesDir>/faces`, sorted by name. */
export function faceImages(fixturesDir: string): string[] {
  const dir = join(fixturesDir, "faces");
  return readdirSync(dir)
    .filter((name) => /\.(jpe?g|png)$/i.test(name))
    .sort()
    .map((name) => join(dir, name));
}

/**
 * Renders the face stills once into an H.264 mp4 (640x480, 2 s per image, a keyframe every 2 s)
 * and returns its path. The file name carries a hash of the images and the encoding settings,
 * so later runs reuse it and a changed fixture set renders anew. Written to a temporary name
 * and renamed, so concurrent processes never see a half-written file.
 */
export function ensureFacesSlideshow(fixturesDir: string, cacheDir: string, log: (msg: string) => void = () => {}) {
  const images = faceImages(fixturesDir);
  if (images.length === 0) throw new Error(`no face images (jpg/png) in ${join(fixturesDir, "faces")}`);
  const hash = createHash("sha256").update(RENDER_VERSION).update(JSON.stringify(SLIDESHOW));
  for (const image of images) hash.update(image.slice(image.lastIndexOf("/") + 1)).update(readFileSync(image));
  const output = join(cacheDir, `faces-slideshow-${hash.digest("hex").slice(0, 16)}.mp4`);
  if (existsSync(output)) return Promise.resolve(output);

  let pending = inFlight.get(output);
  if (!pending) {
    pending = renderSlideshow(images, output, log).finally(() => inFlight.delete(output));
    inFlight.set(output, pending);
  }
  return pending;
}

async function renderSlideshow(images: string[], output: string, log: (msg: string) => void): Promise<string> {
  mkdirSync(join(output, ".."), { recursive: true });
  const temporary = `${output}.${process.pid}.${Date.now()}.tmp.mp4`;
  const { width, height, fps, secondsPerImage } = SLIDESHOW;
  const inputs = images.flatMap((image) => [
    "-loop",
    "1",
    "-framerate",
    String(fps),
    "-t",
    String(secondsPerImage),
    "-i",
    image,
  ]);
  // Letterbox every still into the same frame, then join them one after another.
  const fit = `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p,fps=${fps}`;
  const filter = `${images.map((_, i) => `[${i}:v]${fit}[v${i}]`).join(";")};${images
    .map((_, i) => `[v${i}]`)
    .join("")}concat=n=${images.length}:v=1:a=0[out]`;
  const gop = String(fps * secondsPerImage);
  const args = [
    ...["-hide_banner", "-nostdin", "-loglevel", "error", "-y"],
    ...inputs,
    ...["-filter_complex", filter, "-map", "[out]", "-an"],
    ...["-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-profile:v", "baseline"],
    ...["-pix_fmt", "yuv420p", "-r", String(fps), "-g", gop, "-keyint_min", gop, "-sc_threshold", "0"],
    ...["-movflags", "+faststart", "-f", "mp4", temporary],
  ];
  log(`rendering ${images.length} face images into ${output}`);
  const started = Date.now();
  try {
    await runToCompletion("ffmpeg", args, RENDER_TIMEOUT_MS);
    renameSync(temporary, output);
  } finally {
    rmSync(temporary, { force: true });
  }
  log(`face slideshow rendered in ${Date.now() - started} ms`);
  return output;
}

function runToCompletion(command: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${command} exited with ${signal ?? code}: ${stderr.trim()}`));
    });
  });
}
