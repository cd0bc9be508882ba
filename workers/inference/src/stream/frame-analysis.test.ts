import { mkdtempSync } from "node:fs";
import { readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEventSnapshot } from "@consentry/core/sites";
import { facePath } from "@consentry/fixtures";
import { createFileStore } from "@consentry/storage";
import {
  type Box,
  cosineSimilarity,
  createFaceAnalyzer,
  DEFAULT_MATCH_THRESHOLD,
  decodeImage,
  type Face,
  type FaceAnalyzer,
  intersectionOverUnion,
  type RgbImage,
} from "@consentry/vision";
import { GalleryIndex } from "@consentry/vision/gallery-index";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Identity } from "../gallery";
import { CameraStats } from "./camera-stats";
import type { RecognitionEvent } from "./events";
import { FrameAnalysis } from "./frame-analysis";
import type { RawFrame } from "./frames";
import { FaceTracker } from "./tracker";

// Real ONNX models on real photos, framed as the worker gets them (640x360, letterboxed). Only
// Obama is in the gallery: in the photo of Obama and Biden, Biden must not survive the snapshot.

const OBAMA: Identity = { subjectId: "00000000-0000-4000-8000-00000000000a", templateId: "t-obama" };
const storageDir = mkdtempSync(join(tmpdir(), "consentry-snapshots-"));
const storage = createFileStore(storageDir);
let analyzer: FaceAnalyzer;
let gallery: GalleryIndex<Identity>;
let obamaTemplate: { embedding: Float32Array; modelId: string };

/** A photo as a frame of the analysed stream: scaled into 640x360 with black bars. */
async function frameOf(name: string, at: number): Promise<RawFrame> {
  const { data, info } = await sharp(facePath(name))
    .resize(640, 360, { fit: "contain", background: "#000" })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, at };
}

/** Mean absolute difference of two images inside `box`, over all channels. */
function meanDifference(first: RgbImage, second: RgbImage, box: Box): number {
  let total = 0;
  let count = 0;
  for (let y = Math.max(0, Math.floor(box[1])); y < Math.min(first.height, Math.floor(box[3])); y++) {
    for (let x = Math.max(0, Math.floor(box[0])); x < Math.min(first.width, Math.floor(box[2])); x++) {
      for (let channel = 0; channel < 3; channel++) {
        const offset = (y * first.width + x) * 3 + channel;
        total += Math.abs((first.data[offset] as number) - (second.data[offset] as number));
        count++;
      }
    }
  }
  return total / count;
}

function analysisFor(snapshots: boolean) {
  const recognised: RecognitionEvent[] = [];
  const unknown: number[] = [];
  const failures: unknown[] = [];
  const stats = new CameraStats("camera");
  const detections: number[] = [];
  const analysis = new FrameAnalysis({
    analyzer: {
      ...analyzer,
      detectBoxes: (image) => {
        detections.push((image as RawFrame).at);
        return analyzer.detectBoxes(image);
      },
    },
    galleries: { forSite: async () => gallery },
    events: {
      recognised: (event) => void recognised.push(event),
      unknownFace: (_cameraId, at) => void unknown.push(at),
      snapshotFailed: (error) => void failures.push(error),
    },
    storage,
    settings: { matchThreshold: DEFAULT_MATCH_THRESHOLD, trackGapMs: 60_000 },
    camera: { id: "camera", orgId: "org", siteId: "site" },
    stats,
    tracker: new FaceTracker({ recheckMs: 3000 }),
    stopped: new AbortController().signal,
    snapshots,
  });
  return { analysis, recognised, unknown, failures, stats, detections };
}

const storedFiles = async () => (await readdir(join(storageDir, "event-snapshot")).catch(() => [])).length;

beforeAll(async () => {
  analyzer = await createFaceAnalyzer({ threads: 1 });
  const [obama] = await analyzer.analyze(await decodeImage(facePath("obama.jpg")));
  if (!obama) throw new Error("no face in obama.jpg");
  obamaTemplate = { embedding: obama.embedding, modelId: obama.modelId };
  gallery = new GalleryIndex<Identity>(obama.modelId, obama.embedding.length);
  gallery.add(obamaTemplate, OBAMA);
});
afterAll(async () => {
  await analyzer?.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe("still frames", { timeout: 60_000 }, () => {
  it("skips detection on a frame like the last one detected on, keeps its faces, and detects once a second", async () => {
    const frame = await frameOf("two_people.jpg", 0);
    const { analysis, recognised, unknown, stats, detections } = analysisFor(false);
    // Frame times as the stream gives them (ms since the epoch; the tracker reads 0 as "never checked").
    const start = Date.now();
    const at = (ms: number) => ({ ...frame, data: new Uint8Array(frame.data), at: start + ms });
    await analysis.analyze(at(0));
    const inThePhoto = stats.facesDetected;
    expect(inThePhoto).toBeGreaterThanOrEqual(2);
    for (const ms of [200, 400, 600, 800, 1000, 1200]) await analysis.analyze(at(ms));
    expect(detections).toEqual([start, start + 1000]);
    expect(stats.framesAnalysed).toBe(7);
    expect(stats.framesUnchanged).toBe(5);
    // Faces kept from the last detection are not counted as detected again.
    expect(stats.facesDetected).toBe(2 * inThePhoto);
    // The kept faces are still followed: Obama is recognised once and his track not embedded again.
    expect(recognised.map((event) => event.subjectId)).toEqual([OBAMA.subjectId]);
    const strangers = unknown.length;
    expect(strangers).toBeGreaterThan(0);
    // Another scene is a change: detected at once, its strangers counted.
    await analysis.analyze(await frameOf("pexels_Test7.jpg", start + 1400));
    expect(detections).toEqual([start, start + 1000, start + 1400]);
    expect(unknown.length).toBeGreaterThan(strangers + 3);
  });
});

describe("event snapshots", { timeout: 60_000 }, () => {
  it("keeps nothing when the site has snapshots off, or when nobody matched", async () => {
    const off = analysisFor(false);
    await off.analysis.analyze(await frameOf("two_people.jpg", Date.now()));
    expect(off.recognised).toHaveLength(1);
    expect(off.recognised[0]?.snapshotKey).toBeUndefined();
    expect(off.unknown.length).toBeGreaterThan(0);

    // Seven strangers at a site that keeps snapshots: counted, nothing stored.
    const strangers = analysisFor(true);
    await strangers.analysis.analyze(await frameOf("pexels_Test7.jpg", Date.now()));
    expect(strangers.recognised).toEqual([]);
    expect(strangers.unknown.length).toBeGreaterThan(3);
    expect(await storedFiles()).toBe(0);
  });

  it("stores, encrypted, a snapshot where only the recognised face is as it was: once a visit", async () => {
    const frame = await frameOf("two_people.jpg", Date.now());
    const original = { data: new Uint8Array(frame.data), width: frame.width, height: frame.height };
    // Obama, Biden, and at this size a small third detection below them.
    const faces = await analyzer.analyze(original);
    expect(faces.length).toBeGreaterThanOrEqual(2);
    const similarityToObama = (face: { embedding: Float32Array; modelId: string }) =>
      cosineSimilarity(face, obamaTemplate);
    const [obama, ...others] = [...faces].sort((a, b) => similarityToObama(b) - similarityToObama(a)) as [
      (typeof faces)[number],
      ...(typeof faces)[number][],
    ];

    const { analysis, recognised, failures } = analysisFor(true);
    await analysis.analyze(frame);
    expect(failures).toEqual([]);
    expect(recognised.map((event) => event.subjectId)).toEqual([OBAMA.subjectId]);
    const key = recognised[0]?.snapshotKey as string;
    expect(key).toMatch(/^event-snapshot\/[0-9a-f]{2}\/[0-9a-f]{64}\.bin$/);
    // The analysed frame itself is left as it was.
    expect(Buffer.from(frame.data).equals(Buffer.from(original.data))).toBe(true);

    // On disk: a ciphertext, not a picture.
    const onDisk = await readFile(join(storageDir, key));
    expect(onDisk.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(false);
    await expect(sharp(onDisk).metadata()).rejects.toThrow();
    expect(onDisk.toString().startsWith("v1.")).toBe(true);

    const jpeg = await readEventSnapshot(storage, key);
    expect(jpeg.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
    const snapshot = await decodeImage(jpeg);
    expect([snapshot.width, snapshot.height]).toEqual([640, 360]);
    // Obama's face is kept (up to JPEG noise); every other face is gone.
    expect(meanDifference(original, snapshot, obama.box)).toBeLessThan(6);
    for (const other of others) {
      expect(meanDifference(original, snapshot, other.box)).toBeGreaterThan(15);
      expect(cosineSimilarity(await analyzer.embed(snapshot, other), other)).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
    }
    const found: Face[] = await analyzer.detect(snapshot);
    expect(found.some((face) => intersectionOverUnion(face.box, obama.box) > 0.5)).toBe(true);
    expect(found.filter((face) => intersectionOverUnion(face.box, obama.box) <= 0.5)).toEqual([]);

    // Seen again 4 s later (a re-check), same visit: a sighting without another snapshot.
    await analysis.analyze({ ...frame, data: new Uint8Array(original.data), at: frame.at + 4000 });
    expect(recognised).toHaveLength(2);
    expect(recognised[1]?.snapshotKey).toBeUndefined();
    expect(await storedFiles()).toBe(1);

    // Back after more than the gap: a new visit, its own snapshot.
    await analysis.analyze({ ...frame, data: new Uint8Array(original.data), at: frame.at + 70_000 });
    expect(recognised[2]?.snapshotKey).toMatch(/^event-snapshot\//);
    expect(recognised[2]?.snapshotKey).not.toBe(key);
  });
});
