import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaceAnalyzer, type FaceAnalyzer } from "./analyzer";
import { createFaceAnalyzerPool } from "./analyzer-pool";
import { createFaceAnalyzerThread } from "./analyzer-thread";
import { decodeImage, ImageInputError, type RgbImage } from "./image";
import { DEFAULT_MODELS_DIR, MODELS, ModelIntegrityError } from "./models";
import { fixturePath } from "./testing";

let inProcess: FaceAnalyzer;
let threaded: FaceAnalyzer;
let twoPeople: RgbImage;
let group: RgbImage;

beforeAll(async () => {
  [inProcess, threaded, twoPeople, group] = await Promise.all([
    createFaceAnalyzer(),
    createFaceAnalyzerThread(),
    decodeImage(fixturePath("two_people.jpg")),
    decodeImage(fixturePath("pexels_Test7.jpg")),
  ]);
});
afterAll(async () => {
  await inProcess?.close();
  await threaded?.close();
});

/**
 * Runs `work` while a 1 ms interval ticks. A gap between ticks longer than 3 ms counts as time the event loop
 * was stuck; returns the stuck share of the run and the longest gap.
 */
async function eventLoopStalls(work: () => Promise<unknown>): Promise<{ stuckShare: number; longestMs: number }> {
  const gaps: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 1);
  const started = performance.now();
  last = started;
  await work();
  clearInterval(timer);
  const ended = performance.now();
  gaps.push(ended - last);
  const stuck = gaps.filter((gap) => gap > 3).reduce((sum, gap) => sum + gap, 0);
  return { stuckShare: stuck / (ended - started), longestMs: Math.max(...gaps) };
}

describe("createFaceAnalyzerThread", () => {
  it("gives the same results as the in-process analyzer", async () => {
    expect(threaded.modelId).toBe(inProcess.modelId);
    const threadedFaces = await threaded.detect(twoPeople);
    expect(threadedFaces).toEqual(await inProcess.detect(twoPeople));
    // The detector alone: the same boxes and scores, no landmarks.
    const boxes = await threaded.detectBoxes(twoPeople);
    expect(boxes).toEqual(threadedFaces.map(({ box, score }) => ({ box, score })));
    expect(await inProcess.detectBoxes(twoPeople)).toEqual(boxes);

    const analyzed = await threaded.analyze(twoPeople);
    const expected = await inProcess.analyze(twoPeople);
    expect(analyzed.map(({ box }) => box)).toEqual(expected.map(({ box }) => box));
    analyzed.forEach((face, i) => {
      expect(face.embedding).toBeInstanceOf(Float32Array);
      expect(Array.from(face.embedding)).toEqual(Array.from(expected[i]?.embedding ?? []));
    });

    const face = threadedFaces[0];
    if (!face) throw new Error("no face");
    const embedded = await threaded.embed(twoPeople, face);
    expect(embedded.modelId).toBe(MODELS.embedding.version);
    expect(Array.from(embedded.embedding)).toEqual(Array.from((await inProcess.embed(twoPeople, face)).embedding));

    // Several faces of one frame in one call: each as `embed` makes it, in the order given; none is none.
    const reversed = [...threadedFaces].reverse().map(({ box }) => ({ box }));
    expect(reversed.length).toBeGreaterThan(1);
    const together = await threaded.embedFaces(twoPeople, reversed);
    expect(together.map((template) => Array.from(template.embedding))).toEqual(
      await Promise.all(reversed.map(async (one) => Array.from((await inProcess.embed(twoPeople, one)).embedding))),
    );
    expect(together.every((template) => template.modelId === MODELS.embedding.version)).toBe(true);
    expect(await threaded.embedFaces(twoPeople, [])).toEqual([]);
  });

  it("leaves the caller's frame usable", async () => {
    const before = twoPeople.data.length;
    await threaded.detect(twoPeople);
    expect(twoPeople.data.length).toBe(before);
    expect(await threaded.detect(twoPeople)).toHaveLength(2);
  });

  it("keeps the event loop free while the models run", async () => {
    // In process, each session.run blocks the loop; the stall measure has to see that, or it proves nothing.
    const inProcessStalls = await eventLoopStalls(() => inProcess.analyze(group));
    const threadedStalls = await eventLoopStalls(() => threaded.analyze(group));
    expect(inProcessStalls.stuckShare).toBeGreaterThan(0.6);
    expect(threadedStalls.stuckShare).toBeLessThan(0.3);
    expect(threadedStalls.longestMs).toBeLessThan(inProcessStalls.longestMs);
  });

  it("passes typed errors back from the thread", async () => {
    const badFrame = { data: new Uint8Array(10), width: 4, height: 4 };
    const error = await threaded.detect(badFrame).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ImageInputError);
    expect(error).toMatchObject({ code: "bad_frame" });
    // The thread survives a bad request.
    expect(await threaded.detect(twoPeople)).toHaveLength(2);
  });

  it("refuses to start on a model with the wrong hash", async () => {
    const modelsDir = await mkdtemp(path.join(tmpdir(), "vision-thread-models-"));
    try {
      for (const spec of Object.values(MODELS)) {
        await copyFile(path.join(DEFAULT_MODELS_DIR, spec.file), path.join(modelsDir, spec.file));
      }
      const bytes = await readFile(path.join(modelsDir, MODELS.embedding.file));
      bytes.writeUInt8(bytes.readUInt8(1000) ^ 0xff, 1000);
      await writeFile(path.join(modelsDir, MODELS.embedding.file), bytes);
      const error = await createFaceAnalyzerThread({ modelsDir }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ModelIntegrityError);
      expect(error).toMatchObject({ modelId: MODELS.embedding.id, reason: "hash_mismatch" });
    } finally {
      await rm(modelsDir, { recursive: true, force: true });
    }
  });

  it("refuses calls after close", async () => {
    const short = await createFaceAnalyzerThread();
    await short.close();
    await expect(short.detect(twoPeople)).rejects.toThrow("face analyzer is closed");
  });
});

describe("createFaceAnalyzerPool", () => {
  it("answers calls made side by side as the in-process analyzer does, whichever thread takes them", async () => {
    const pool = await createFaceAnalyzerPool(2);
    try {
      expect(pool.modelId).toBe(inProcess.modelId);
      const [detected, analyzed, groupFaces] = await Promise.all([
        Promise.all([twoPeople, group, twoPeople, group].map((image) => pool.detect(image))),
        pool.analyze(twoPeople),
        pool.detect(group),
      ]);
      expect(detected).toEqual([
        await inProcess.detect(twoPeople),
        await inProcess.detect(group),
        await inProcess.detect(twoPeople),
        await inProcess.detect(group),
      ]);
      expect(groupFaces).toEqual(await inProcess.detect(group));
      const expected = await inProcess.analyze(twoPeople);
      expect(analyzed.map((face) => Array.from(face.embedding))).toEqual(
        expected.map((face) => Array.from(face.embedding)),
      );
    } finally {
      await pool.close();
    }
    await expect(pool.detect(twoPeople)).rejects.toThrow("face analyzer is closed");
  });

  it("refuses a size below one, and fails to start as a single thread does", async () => {
    await expect(createFaceAnalyzerPool(0)).rejects.toThrow("at least one thread");
    const error = await createFaceAnalyzerPool(2, { modelsDir: path.join(tmpdir(), "no-such-models") }).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ModelIntegrityError);
    expect(error).toMatchObject({ reason: "missing" });
  });
});
