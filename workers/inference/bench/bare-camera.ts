// The bare cost of analysing cameras: for each URL, ffmpeg decoding the stream to the analysis size
// at the analysis rate exactly as the worker's reader does (../src/stream/frames.ts), and the bare
// detector (fr_detect through FaceDetector: one preallocated input tensor, filled from the frame, then
// session.run and the box decoding) on every frame, one frame at a time. Nothing else: no landmarks,
// tracking, embedding, events, threads. Prints "streaming" once started; runs until SIGTERM. (The
// detector comes from the vision package's source: it is not part of its public API.)
//   node --import tsx workers/inference/bench/bare-camera.ts <fps> <width> <height> <url>...
import { FaceDetector } from "../../../packages/vision/src/detector";
import { loadModelSession, MODELS } from "../../../packages/vision/src/models";
import { openFrameSource, type RawFrame } from "../src/stream/frames";

const [fps, width, height, ...urls] = process.argv.slice(2);
const detector = new FaceDetector(await loadModelSession(MODELS.detector, { threads: 1 }));
const waiting: RawFrame[] = [];
let busy = false;
let frames = 0;
const pump = async () => {
  busy = true;
  for (let frame = waiting.shift(); frame; frame = waiting.shift()) {
    await detector.detect(frame);
    frames++;
  }
  busy = false;
};
const sources = urls.map((url) =>
  openFrameSource({
    url,
    fps: Number(fps),
    width: Number(width),
    height: Number(height),
    onFrame: (frame) => {
      waiting.push(frame);
      if (!busy) void pump();
    },
  }),
);
for (const source of sources) {
  source.done.catch((error: Error) => {
    console.error(`bare camera: ${error.message}`);
    process.exit(1);
  });
}
console.log("streaming");
process.on("SIGTERM", () => {
  for (const source of sources) source.stop();
  console.log(`frames detected: ${frames}`);
  setTimeout(() => process.exit(0), 200);
});
