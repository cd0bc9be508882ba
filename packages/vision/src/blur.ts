import sharp from "sharp";
import type { Box } from "./geometry";
import type { RgbImage } from "./image";

export interface BlurOptions {
  /** How much larger than the detector box the blurred area is; the box leaves out hair, ears and chin. */
  enlarge?: number;
  /** Blocks across the face before smoothing; fewer is harder to undo. */
  blocksAcross?: number;
}

/**
 * Returns a copy of `image` with each face made unrecognisable: the enlarged box is shrunk to a few pixels
 * across (which discards the identity) and scaled back up smoothly, then blurred so no block edges remain.
 */
export async function blurFaces(
  image: RgbImage,
  faces: readonly { readonly box: Box }[],
  options: BlurOptions = {},
): Promise<RgbImage> {
  const enlarge = options.enlarge ?? 1.4;
  const blocksAcross = options.blocksAcross ?? 8;
  const output = new Uint8Array(image.data);
  for (const { box } of faces) {
    const region = enlargedRegion(box, enlarge, image.width, image.height);
    if (region.width < 2 || region.height < 2) continue;
    const raw = { width: image.width, height: image.height, channels: 3 } as const;
    const smallWidth = Math.max(1, Math.min(blocksAcross, region.width));
    const smallHeight = Math.max(1, Math.round((smallWidth * region.height) / region.width));
    const small = await sharp(image.data, { raw })
      .extract(region)
      .resize(smallWidth, smallHeight, { fit: "fill" })
      .raw()
      .toBuffer();
    const blurred = await sharp(small, { raw: { width: smallWidth, height: smallHeight, channels: 3 } })
      .resize(region.width, region.height, { fit: "fill", kernel: "linear" })
      .blur(Math.max(1, region.width / 12))
      .raw()
      .toBuffer();
    for (let row = 0; row < region.height; row++) {
      const sourceStart = row * region.width * 3;
      output.set(
        blurred.subarray(sourceStart, sourceStart + region.width * 3),
        ((region.top + row) * image.width + region.left) * 3,
      );
    }
  }
  return { data: output, width: image.width, height: image.height };
}

function enlargedRegion(box: Box, enlarge: number, imageWidth: number, imageHeight: number) {
  const centreX = (box[0] + box[2]) / 2;
  const centreY = (box[1] + box[3]) / 2;
  const halfWidth = ((box[2] - box[0]) * enlarge) / 2;
  const halfHeight = ((box[3] - box[1]) * enlarge) / 2;
  const left = Math.max(0, Math.floor(centreX - halfWidth));
  const top = Math.max(0, Math.floor(centreY - halfHeight));
  const right = Math.min(imageWidth, Math.ceil(centreX + halfWidth));
  const bottom = Math.min(imageHeight, Math.ceil(centreY + halfHeight));
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}
