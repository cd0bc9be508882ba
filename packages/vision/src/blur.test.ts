import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaceAnalyzer, type FaceAnalyzer } from "./analyzer";
import { blurFaces } from "./blur";
import type { Box } from "./geometry";
import { decodeImage, encodeJpeg, type RgbImage } from "./image";
import { cosineSimilarity, DEFAULT_MATCH_THRESHOLD } from "./match";
import { fixturePath } from "./testing";

let analyzer: FaceAnalyzer;
beforeAll(async () => {
  analyzer = await createFaceAnalyzer();
});
afterAll(async () => {
  await analyzer?.close();
});

/** Mean absolute difference of the two images inside `box`, over all channels. */
function meanDifference(first: RgbImage, second: RgbImage, box: Box): number {
  let total = 0;
  let count = 0;
  for (let y = Math.floor(box[1]); y < Math.floor(box[3]); y++) {
    for (let x = Math.floor(box[0]); x < Math.floor(box[2]); x++) {
      for (let channel = 0; channel < 3; channel++) {
        const offset = (y * first.width + x) * 3 + channel;
        total += Math.abs((first.data[offset] as number) - (second.data[offset] as number));
        count++;
      }
    }
  }
  return total / count;
}

async function blurredJpeg(name: string) {
  const original = await decodeImage(fixturePath(name));
  const faces = await analyzer.analyze(original);
  // Through JPEG and back, as the CLI writes it.
  const blurred = await decodeImage(await encodeJpeg(await blurFaces(original, faces)));
  return { original, faces, blurred };
}

describe("blurFaces", () => {
  it("leaves no detectable face in two_people.jpg", async () => {
    const { faces, blurred } = await blurredJpeg("two_people.jpg");
    expect(faces).toHaveLength(2);
    expect(await analyzer.detect(blurred)).toHaveLength(0);
  });

  it("destroys identity where the head outline is still detected (pexels_Test1.jpg)", async () => {
    const { original, faces, blurred } = await blurredJpeg("pexels_Test1.jpg");
    for (const face of faces) expect(meanDifference(original, blurred, face.box)).toBeGreaterThan(15);
    for (const blob of await analyzer.analyze(blurred)) {
      for (const face of faces) expect(cosineSimilarity(blob, face)).toBeLessThan(DEFAULT_MATCH_THRESHOLD);
    }
  });

  it("leaves the rest of the image alone and does not touch its input", async () => {
    const original = await decodeImage(fixturePath("two_people.jpg"));
    const before = Buffer.from(original.data);
    const blurred = await blurFaces(original, [{ box: [100, 100, 200, 200] }]);
    expect(Buffer.from(original.data).equals(before)).toBe(true);
    expect(meanDifference(original, blurred, [0, 0, 60, 60])).toBe(0);
    expect(meanDifference(original, blurred, [500, 300, 700, 500])).toBe(0);
    expect(meanDifference(original, blurred, [110, 110, 190, 190])).toBeGreaterThan(3);
  });
});
