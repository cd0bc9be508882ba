import * as ort from "onnxruntime-node";
import type { AffineMatrix, Box, Point } from "./geometry";
import type { RgbImage } from "./image";
import { warpAffine } from "./warp";

const CROP_SIZE = 64;

/** Left eye, right eye (as seen in the image), nose tip, left and right mouth corners. */
export type FivePoints = readonly [Point, Point, Point, Point, Point];

/**
 * The square the landmark model expects: as tall as the detector box, centred on it (the faceplugin crop).
 */
export function landmarkCrop(box: Box): { x: number; y: number; size: number } {
  const size = box[3] - box[1];
  return { x: (box[0] + box[2]) / 2 - size / 2, y: (box[1] + box[3]) / 2 - size / 2, size };
}

/** Reduces the 68-point (iBUG) layout to the 5 points of the ArcFace template. */
export function fivePointsFrom68(points: readonly Point[]): FivePoints {
  if (points.length !== 68) throw new Error(`expected 68 landmarks, got ${points.length}`);
  const mean = (...indices: number[]): Point => {
    let x = 0;
    let y = 0;
    for (const index of indices) {
      const [px, py] = points[index] as Point;
      x += px / indices.length;
      y += py / indices.length;
    }
    return [x, y];
  };
  // Eye centres from the four eyelid points (corners left out: they move with squinting);
  // mouth corners averaged over the outer and inner lip contours.
  return [mean(37, 38, 40, 41), mean(43, 44, 46, 47), mean(30), mean(48, 60), mean(54, 64)];
}

/** Runs fr_landmark (64x64 grey crop, values / 256) and maps the 68 points back to image pixels. */
export class LandmarkLocator {
  private readonly inputData = new Float32Array(CROP_SIZE * CROP_SIZE);
  private readonly tensor: ort.Tensor;

  constructor(private readonly session: ort.InferenceSession) {
    this.tensor = new ort.Tensor("float32", this.inputData, [1, 1, CROP_SIZE, CROP_SIZE]);
  }

  async locate68(image: RgbImage, box: Box): Promise<Point[]> {
    const crop = landmarkCrop(box);
    const scale = CROP_SIZE / crop.size;
    const toCrop: AffineMatrix = [scale, 0, -crop.x * scale, 0, scale, -crop.y * scale];
    const { data } = warpAffine(image, toCrop, CROP_SIZE, CROP_SIZE);
    for (let i = 0; i < CROP_SIZE * CROP_SIZE; i++) {
      const red = data[i * 3] as number;
      const green = data[i * 3 + 1] as number;
      const blue = data[i * 3 + 2] as number;
      this.inputData[i] = (0.299 * red + 0.587 * green + 0.114 * blue) / 256;
    }
    const output = (await this.session.run({ input: this.tensor })).output?.data;
    if (!(output instanceof Float32Array) || output.length !== 136)
      throw new Error("fr_landmark returned unexpected output");
    const points: Point[] = [];
    for (let i = 0; i < 68; i++) {
      points.push([crop.x + (output[i * 2] as number) * crop.size, crop.y + (output[i * 2 + 1] as number) * crop.size]);
    }
    return points;
  }

  async locate(image: RgbImage, box: Box): Promise<FivePoints> {
    return fivePointsFrom68(await this.locate68(image, box));
  }
}
