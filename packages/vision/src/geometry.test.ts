import { describe, expect, it } from "vitest";
import {
  type AffineMatrix,
  applyAffine,
  type Box,
  estimateSimilarityTransform,
  intersectionOverUnion,
  invertAffine,
  nonMaxSuppression,
  type Point,
} from "./geometry";
import { warpAffine } from "./warp";

function similarity(scale: number, angle: number, tx: number, ty: number): AffineMatrix {
  const a = scale * Math.cos(angle);
  const b = scale * Math.sin(angle);
  return [a, -b, tx, b, a, ty];
}

const FACE_POINTS: Point[] = [
  [210, 180],
  [290, 176],
  [252, 230],
  [220, 280],
  [282, 277],
];

describe("estimateSimilarityTransform", () => {
  const cases = [
    { scale: 1, angle: 0, tx: 0, ty: 0 },
    { scale: 0.4, angle: 0.3, tx: -30, ty: 12 },
    { scale: 2.5, angle: -1.2, tx: 100, ty: -250 },
    { scale: 0.05, angle: Math.PI * 0.9, tx: 5, ty: 7 },
  ];
  for (const { scale, angle, tx, ty } of cases) {
    it(`recovers scale ${scale}, rotation ${angle.toFixed(2)} rad, translation (${tx}, ${ty})`, () => {
      const known = similarity(scale, angle, tx, ty);
      const target = FACE_POINTS.map((point) => applyAffine(known, point));
      const estimated = estimateSimilarityTransform(FACE_POINTS, target);
      estimated.forEach((value, index) => {
        expect(value).toBeCloseTo(known[index] as number, 9);
      });
    });
  }

  it("is the least-squares fit when the points do not fit exactly", () => {
    const known = similarity(0.5, 0.2, 10, 20);
    const noise: Point[] = [
      [0.8, -0.5],
      [-0.6, 0.4],
      [0.3, 0.9],
      [-0.7, -0.6],
      [0.2, -0.2],
    ];
    const target = FACE_POINTS.map((point, i) => {
      const [x, y] = applyAffine(known, point);
      const [dx, dy] = noise[i] as Point;
      return [x + dx, y + dy] as Point;
    });
    const estimated = estimateSimilarityTransform(FACE_POINTS, target);
    const residual = ([a = 0, b = 0, tx = 0, ty = 0]: number[]) =>
      FACE_POINTS.reduce((sum, [x, y], i) => {
        const [u, v] = target[i] as Point;
        return sum + (a * x - b * y + tx - u) ** 2 + (b * x + a * y + ty - v) ** 2;
      }, 0);
    const parameters = [estimated[0], estimated[3], estimated[2], estimated[5]];
    const best = residual(parameters);
    expect(best).toBeLessThan(residual([known[0], known[3], known[2], known[5]]));
    // A small step in any parameter, either way, fits worse.
    for (let index = 0; index < 4; index++) {
      for (const step of [-1e-3, 1e-3]) {
        const nudged = parameters.map((value, i) => (i === index ? value + step : value));
        expect(residual(nudged)).toBeGreaterThan(best);
      }
    }
    expect(estimated[0]).toBeCloseTo(known[0], 1);
    expect(estimated[3]).toBeCloseTo(known[3], 1);
  });

  it("never reflects: mirrored targets still give a rotation", () => {
    const mirrored = FACE_POINTS.map(([x, y]) => [-x, y] as Point);
    const [a, b, , d, e] = estimateSimilarityTransform(FACE_POINTS, mirrored);
    expect(a * e - b * d).toBeGreaterThanOrEqual(0);
  });

  it("rejects degenerate input", () => {
    expect(() => estimateSimilarityTransform([[1, 1]], [[2, 2]])).toThrow(/at least 2/);
    expect(() =>
      estimateSimilarityTransform(
        [
          [3, 3],
          [3, 3],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toThrow(/same point/);
  });
});

describe("invertAffine", () => {
  it("undoes the transform", () => {
    const matrix = similarity(1.7, 0.8, -12, 40);
    const [x, y] = applyAffine(invertAffine(matrix), applyAffine(matrix, [33, -7]));
    expect(x).toBeCloseTo(33, 9);
    expect(y).toBeCloseTo(-7, 9);
  });
});

describe("warpAffine", () => {
  // 4x3 image whose red channel is 10 * x + y, so every pixel can be told apart.
  const width = 4;
  const height = 3;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(y * width + x) * 3] = 10 * x + y;
  const image = { data, width, height };
  const redAt = (warped: { data: Uint8Array; width: number }, x: number, y: number) =>
    warped.data[(y * warped.width + x) * 3];

  it("copies pixels under the identity", () => {
    expect(warpAffine(image, [1, 0, 0, 0, 1, 0], width, height).data).toEqual(data);
  });

  it("moves pixels by a translation and fills the outside with black", () => {
    const shifted = warpAffine(image, [1, 0, 1, 0, 1, 0], width, height);
    expect(redAt(shifted, 1, 2)).toBe(10 * 0 + 2);
    expect(redAt(shifted, 3, 1)).toBe(10 * 2 + 1);
    expect(redAt(shifted, 0, 1)).toBe(0);
  });

  it("interpolates half a pixel between neighbours", () => {
    const halfShift = warpAffine(image, [1, 0, -0.5, 0, 1, 0], width - 1, height);
    expect(redAt(halfShift, 0, 0)).toBe(5);
    expect(redAt(halfShift, 1, 1)).toBe(16);
  });
});

describe("nonMaxSuppression", () => {
  const boxes: Box[] = [
    [0, 0, 10, 10],
    [1, 1, 11, 11], // IoU with the first: 81 / 119 = 0.68
    [5, 0, 15, 10], // IoU with the first: 50 / 150 = 0.33
    [6, 0, 16, 10], // IoU with the first: 40 / 160 = 0.25
    [100, 100, 110, 110],
  ];

  it("computes intersection over union", () => {
    expect(intersectionOverUnion(boxes[0] as Box, boxes[1] as Box)).toBeCloseTo(81 / 119, 9);
    expect(intersectionOverUnion(boxes[0] as Box, boxes[4] as Box)).toBe(0);
    expect(intersectionOverUnion(boxes[0] as Box, boxes[0] as Box)).toBe(1);
  });

  it("keeps the best box of each overlapping group, best first", () => {
    expect(nonMaxSuppression(boxes, [0.9, 0.95, 0.8, 0.85, 0.7], 0.3)).toEqual([1, 3, 4]);
  });

  it("keeps boxes whose overlap is at most the threshold", () => {
    expect(nonMaxSuppression([boxes[0] as Box, boxes[2] as Box], [0.9, 0.8], 0.34)).toEqual([0, 1]);
    expect(nonMaxSuppression([boxes[0] as Box, boxes[2] as Box], [0.9, 0.8], 0.3)).toEqual([0]);
  });

  it("returns nothing for no boxes", () => {
    expect(nonMaxSuppression([], [], 0.3)).toEqual([]);
  });
});
