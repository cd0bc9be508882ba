import sharp from "sharp";
import { sha256Hex } from "./file-store";

export type ImageRejection = "notAnImage" | "tooLarge" | "corrupt";

export class ImageRejectedError extends Error {
  override name = "ImageRejectedError";
  constructor(
    readonly reason: ImageRejection,
    message: string,
  ) {
    super(message);
  }
}

const ACCEPTED_FORMATS = new Set(["jpeg", "png", "webp", "heif", "tiff", "gif"]);

/**
 * Decodes an uploaded photo and encodes it afresh as JPEG. Only pixels survive: EXIF (GPS,
 * camera serials, times), XMP, ICC profiles and anything smuggled after the image data are
 * gone. Orientation is applied first so the picture still looks the same.
 */
export async function sanitizeImage(bytes: Uint8Array, options: { maxPixels?: number; maxEdge?: number } = {}) {
  const { maxPixels = 40_000_000, maxEdge = 2560 } = options;
  let format: string | undefined;
  try {
    ({ format } = await sharp(bytes, { limitInputPixels: false }).metadata());
  } catch {
    throw new ImageRejectedError("notAnImage", "The file is not an image (JPEG, PNG or WebP expected).");
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new ImageRejectedError("notAnImage", `Images of type ${format ?? "unknown"} are not accepted.`);
  }
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: "error" })
      .rotate()
      .resize({ width: maxEdge, height: maxEdge, fit: "inside", withoutEnlargement: true })
      .jpeg({ quality: 85 })
      .toBuffer({ resolveWithObject: true });
    return { bytes: data, width: info.width, height: info.height, sha256: sha256Hex(data) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/pixel limit/i.test(message)) {
      throw new ImageRejectedError("tooLarge", `The image is larger than ${maxPixels / 1_000_000} megapixels.`);
    }
    throw new ImageRejectedError("corrupt", "The image is damaged and cannot be read.");
  }
}
