import * as ort from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFaceAnalyzer, type FaceAnalyzer } from "./analyzer";
import { DetectorInput } from "./detector";
import { type Box, intersectionOverUnion } from "./geometry";
import { decodeImage, rgbFrame } from "./image";
import { loadModelSession, MODELS } from "./models";
import { fixtureImages, fixturePath } from "./testing";

let analyzer: FaceAnalyzer;
beforeAll(async () => {
  analyzer = await createFaceAnalyzer();
});
afterAll(async () => {
  await analyzer?.close();
});

describe("face detection on the fixtures", () => {
  for (const fixture of fixtureImages()) {
    it(`finds exactly ${fixture.faces} face(s) in ${fixture.name}`, async () => {
      const image = await decodeImage(fixture.path);
      const faces = await analyzer.detect(image);
      expect(faces).toHaveLength(fixture.faces);
      for (const { box, score, landmarks } of faces) {
        expect(score).toBeGreaterThan(0.7);
        expect(box[0]).toBeGreaterThanOrEqual(0);
        expect(box[1]).toBeGreaterThanOrEqual(0);
        expect(box[2]).toBeLessThanOrEqual(image.width);
        expect(box[3]).toBeLessThanOrEqual(image.height);
        // In the face's own frame (heads may tilt): nose between the eye line and the mouth, left before right.
        const [leftEye, rightEye, nose, leftMouth, rightMouth] = landmarks;
        const eyeMiddle = [(leftEye[0] + rightEye[0]) / 2, (leftEye[1] + rightEye[1]) / 2];
        const mouthMiddle = [(leftMouth[0] + rightMouth[0]) / 2, (leftMouth[1] + rightMouth[1]) / 2];
        const down = [
          (mouthMiddle[0] as number) - (eyeMiddle[0] as number),
          (mouthMiddle[1] as number) - (eyeMiddle[1] as number),
        ] as const;
        const along = ([x, y]: readonly [number, number]) =>
          ((x - (eyeMiddle[0] as number)) * down[0] + (y - (eyeMiddle[1] as number)) * down[1]) /
          (down[0] ** 2 + down[1] ** 2);
        const rightward = (from: readonly [number, number], to: readonly [number, number]) =>
          (to[0] - from[0]) * down[1] - (to[1] - from[1]) * down[0];
        expect(along(nose)).toBeGreaterThan(0.2);
        expect(along(nose)).toBeLessThan(0.9);
        expect(rightward(leftEye, rightEye)).toBeGreaterThan(0);
        expect(rightward(leftMouth, rightMouth)).toBeGreaterThan(0);
        for (const [x, y] of landmarks) {
          expect(x).toBeGreaterThan(box[0] - 10);
          expect(x).toBeLessThan(box[2] + 10);
          expect(y).toBeGreaterThan(box[1] - 10);
          expect(y).toBeLessThan(box[3] + 10);
        }
      }
    });
  }

  it("returns boxes in pixels of the original image", async () => {
    const faces = await analyzer.detect(await decodeImage(fixturePath("two_people.jpg")));
    const [left, right] = [...faces].sort((a, b) => a.box[0] - b.box[0]);
    // Measured by eye on the 1126x661 photo: Obama's face around x 240..385, Biden's around x 790..935.
    expect(left?.box[0]).toBeGreaterThan(220);
    expect(left?.box[2]).toBeLessThan(410);
    expect(right?.box[0]).toBeGreaterThan(760);
    expect(right?.box[2]).toBeLessThan(960);
  });

  it("gives the same faces for a raw rgb24 frame as for the decoded image", async () => {
    const image = await decodeImage(fixturePath("pexels_Test3.jpg"));
    const frame = rgbFrame(Buffer.from(image.data), image.width, image.height);
    expect(await analyzer.detect(frame)).toEqual(await analyzer.detect(image));
  });
});

describe("fr_detect outputs", () => {
  it("are decoded corner boxes already: every anchor that fires on one face gives the same box", async () => {
    const session = await loadModelSession(MODELS.detector);
    const input = new DetectorInput();
    input.fill(await decodeImage(fixturePath("obama.jpg")));
    const outputs = await session.run({ input: new ort.Tensor("float32", input.tensorData, [1, 3, 240, 320]) });
    const scores = outputs.scores?.data as Float32Array;
    const boxes = outputs.boxes?.data as Float32Array;
    const firing: Box[] = [];
    for (let anchor = 0; anchor < 4420; anchor++) {
      if ((scores[anchor * 2 + 1] as number) > 0.7)
        firing.push(Array.from(boxes.subarray(anchor * 4, anchor * 4 + 4)) as unknown as Box);
    }
    // Anchors of several sizes and positions fire; raw offsets would scatter, decoded boxes agree.
    expect(firing.length).toBeGreaterThan(3);
    for (const box of firing) expect(intersectionOverUnion(box, firing[0] as Box)).toBeGreaterThan(0.8);
    await session.release();
  });
});
