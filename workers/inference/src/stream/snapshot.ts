import { type Box, blurFaces, encodeJpeg, type RgbImage } from "@consentry/vision";

/** How much of the frame around the recognised face stays sharp: the head, not the people beside it. */
const KEEP_ENLARGE = 1.6;
/** Mosaic blocks of the rest of the frame, at the 640-pixel analysis width: a face there is two or three blocks. */
const BACKGROUND_BLOCKS_ACROSS = 40;

/**
 * The picture a recognition event keeps, made in memory from the frame the person was matched
 * in: only the recognised face (with a margin) stays as it was. Every other detected face is
 * pixelated to a few blocks and blurred (`blurFaces`, enlarged); and since a detector misses
 * small, turned or half-hidden faces, the whole rest of the frame is reduced to a coarse
 * mosaic as well, so no one else is recognisable even where no face was found. Neither step can
 * be undone: the pixels are averaged away before the JPEG is encoded. Returns JPEG bytes; the
 * caller encrypts them before anything is stored, and drops the frame.
 */
export async function blurredSnapshot(
  frame: RgbImage,
  recognised: { readonly box: Box },
  others: readonly { readonly box: Box }[],
): Promise<Buffer> {
  const { width, height } = frame;
  const keep = enlarged(recognised.box, KEEP_ENLARGE, width, height);
  const block = Math.max(8, Math.round(width / BACKGROUND_BLOCKS_ACROSS));
  const pixels = mosaic(frame, block);
  for (let y = keep.top; y < keep.bottom; y++) {
    const start = (y * width + keep.left) * 3;
    pixels.set(frame.data.subarray(start, start + (keep.right - keep.left) * 3), start);
  }
  // Last, so another face that reaches into the kept area is still blurred there.
  const blurred = await blurFaces({ data: pixels, width, height }, others, { enlarge: 1.5, blocksAcross: 6 });
  return encodeJpeg(blurred, 85);
}

/** A copy of the image in which each `block` x `block` square holds its average colour. */
function mosaic(image: RgbImage, block: number): Uint8Array {
  const { data, width, height } = image;
  const output = new Uint8Array(data.length);
  for (let top = 0; top < height; top += block) {
    const bottom = Math.min(height, top + block);
    for (let left = 0; left < width; left += block) {
      const right = Math.min(width, left + block);
      let r = 0;
      let g = 0;
      let b = 0;
      for (let y = top; y < bottom; y++) {
        for (let x = left; x < right; x++) {
          const offset = (y * width + x) * 3;
          r += data[offset] as number;
          g += data[offset + 1] as number;
          b += data[offset + 2] as number;
        }
      }
      const count = (bottom - top) * (right - left);
      const colour = [Math.round(r / count), Math.round(g / count), Math.round(b / count)];
      for (let y = top; y < bottom; y++) {
        for (let x = left; x < right; x++) output.set(colour, (y * width + x) * 3);
      }
    }
  }
  return output;
}

function enlarged(box: Box, factor: number, width: number, height: number) {
  const centreX = (box[0] + box[2]) / 2;
  const centreY = (box[1] + box[3]) / 2;
  const halfWidth = ((box[2] - box[0]) * factor) / 2;
  const halfHeight = ((box[3] - box[1]) * factor) / 2;
  return {
    left: Math.max(0, Math.floor(centreX - halfWidth)),
    top: Math.max(0, Math.floor(centreY - halfHeight)),
    right: Math.min(width, Math.ceil(centreX + halfWidth)),
    bottom: Math.min(height, Math.ceil(centreY + halfHeight)),
  };
}
