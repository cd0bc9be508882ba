import { type AffineMatrix, invertAffine } from "./geometry";
import type { RgbImage } from "./image";

/**
 * Warps `source` through `matrix` (source pixel -> output pixel) into a `width` x `height` RGB image, with
 * bilinear sampling and black outside the source. When the warp shrinks the image, each output pixel averages
 * a small grid of bilinear samples, so a 400-pixel face shrunk to 112 does not alias.
 */
export function warpAffine(source: RgbImage, matrix: AffineMatrix, width: number, height: number): RgbImage {
  const [a, b, c, d, e, f] = invertAffine(matrix);
  const sourcePixelsPerOutputPixel = Math.sqrt(Math.abs(a * e - b * d));
  const samplesPerAxis = Math.min(8, Math.max(1, Math.ceil(sourcePixelsPerOutputPixel - 0.01)));
  const sampleCount = samplesPerAxis * samplesPerAxis;
  const { data, width: sourceWidth, height: sourceHeight } = source;
  const output = new Uint8Array(width * height * 3);
  const pixel = new Float64Array(3);

  for (let outputY = 0; outputY < height; outputY++) {
    for (let outputX = 0; outputX < width; outputX++) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let sampleY = 0; sampleY < samplesPerAxis; sampleY++) {
        const y = outputY + (sampleY + 0.5) / samplesPerAxis - 0.5;
        for (let sampleX = 0; sampleX < samplesPerAxis; sampleX++) {
          const x = outputX + (sampleX + 0.5) / samplesPerAxis - 0.5;
          sampleBilinear(data, sourceWidth, sourceHeight, a * x + b * y + c, d * x + e * y + f, pixel);
          red += pixel[0] as number;
          green += pixel[1] as number;
          blue += pixel[2] as number;
        }
      }
      const offset = (outputY * width + outputX) * 3;
      output[offset] = Math.round(red / sampleCount);
      output[offset + 1] = Math.round(green / sampleCount);
      output[offset + 2] = Math.round(blue / sampleCount);
    }
  }
  return { data: output, width, height };
}

function sampleBilinear(data: Uint8Array, width: number, height: number, x: number, y: number, out: Float64Array) {
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  if (x <= -1 || y <= -1 || x >= width || y >= height) return;
  const left = Math.floor(x);
  const top = Math.floor(y);
  const fractionX = x - left;
  const fractionY = y - top;
  accumulate(data, width, height, left, top, (1 - fractionX) * (1 - fractionY), out);
  accumulate(data, width, height, left + 1, top, fractionX * (1 - fractionY), out);
  accumulate(data, width, height, left, top + 1, (1 - fractionX) * fractionY, out);
  accumulate(data, width, height, left + 1, top + 1, fractionX * fractionY, out);
}

function accumulate(
  data: Uint8Array,
  width: number,
  height: number,
  x: number,
  y: number,
  weight: number,
  out: Float64Array,
) {
  if (weight === 0 || x < 0 || y < 0 || x >= width || y >= height) return;
  const offset = (y * width + x) * 3;
  out[0] = (out[0] as number) + (data[offset] as number) * weight;
  out[1] = (out[1] as number) + (data[offset + 1] as number) * weight;
  out[2] = (out[2] as number) + (data[offset + 2] as number) * weight;
}
