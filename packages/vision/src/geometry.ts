/** [x, y] in pixels. */
export type Point = readonly [number, number];
/** [x1, y1, x2, y2] in pixels, corners. */
export type Box = readonly [number, number, number, number];

/** Row-major 2x3 affine matrix [a, b, c, d, e, f]: x' = a x + b y + c, y' = d x + e y + f. */
export type AffineMatrix = readonly [number, number, number, number, number, number];

export function applyAffine(matrix: AffineMatrix, [x, y]: Point): Point {
  const [a, b, c, d, e, f] = matrix;
  return [a * x + b * y + c, d * x + e * y + f];
}

export function invertAffine(matrix: AffineMatrix): AffineMatrix {
  const [a, b, c, d, e, f] = matrix;
  const determinant = a * e - b * d;
  if (Math.abs(determinant) < 1e-12) throw new Error("affine matrix is not invertible");
  const ia = e / determinant;
  const ib = -b / determinant;
  const id = -d / determinant;
  const ie = a / determinant;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * Least-squares similarity transform (rotation, uniform scale, translation; no reflection) taking `source`
 * points onto `target` points: the closed form of Umeyama's method in 2-D.
 */
export function estimateSimilarityTransform(source: readonly Point[], target: readonly Point[]): AffineMatrix {
  if (source.length !== target.length || source.length < 2) {
    throw new Error(`need at least 2 matching point pairs, got ${source.length} and ${target.length}`);
  }
  const count = source.length;
  let sourceMeanX = 0;
  let sourceMeanY = 0;
  let targetMeanX = 0;
  let targetMeanY = 0;
  for (let i = 0; i < count; i++) {
    const [sx, sy] = source[i] as Point;
    const [tx, ty] = target[i] as Point;
    sourceMeanX += sx / count;
    sourceMeanY += sy / count;
    targetMeanX += tx / count;
    targetMeanY += ty / count;
  }
  let dot = 0;
  let cross = 0;
  let sourceVariance = 0;
  for (let i = 0; i < count; i++) {
    const [sx, sy] = source[i] as Point;
    const [tx, ty] = target[i] as Point;
    const x = sx - sourceMeanX;
    const y = sy - sourceMeanY;
    const u = tx - targetMeanX;
    const v = ty - targetMeanY;
    dot += x * u + y * v;
    cross += x * v - y * u;
    sourceVariance += x * x + y * y;
  }
  if (sourceVariance < 1e-12) throw new Error("source points are all the same point");
  // scale * cos(angle) and scale * sin(angle)
  const a = dot / sourceVariance;
  const b = cross / sourceVariance;
  return [
    a,
    -b,
    targetMeanX - (a * sourceMeanX - b * sourceMeanY),
    b,
    a,
    targetMeanY - (b * sourceMeanX + a * sourceMeanY),
  ];
}

export function intersectionOverUnion(first: Box, second: Box): number {
  const width = Math.min(first[2], second[2]) - Math.max(first[0], second[0]);
  const height = Math.min(first[3], second[3]) - Math.max(first[1], second[1]);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const union =
    (first[2] - first[0]) * (first[3] - first[1]) + (second[2] - second[0]) * (second[3] - second[1]) - intersection;
  return union > 0 ? intersection / union : 0;
}

/** Greedy non-maximum suppression; returns the kept indices, best score first. */
export function nonMaxSuppression(boxes: readonly Box[], scores: readonly number[], iouThreshold: number): number[] {
  const order = boxes.map((_, index) => index).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0));
  const kept: number[] = [];
  for (const candidate of order) {
    const box = boxes[candidate] as Box;
    if (kept.every((keptIndex) => intersectionOverUnion(boxes[keptIndex] as Box, box) <= iouThreshold)) {
      kept.push(candidate);
    }
  }
  return kept;
}
