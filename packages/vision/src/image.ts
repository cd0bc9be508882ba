import { readFile } from "node:fs/promises";
import sharp from "sharp";

/** 8-bit RGB pixels, interleaved (rgb24), row after row without padding. */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export type ImageInputErrorCode =
  | "unreadable"
  | "not_an_image"
  | "unsupported_format"
  | "corrupt"
  | "too_large"
  | "bad_frame";

export class ImageInputError extends Error {
  override readonly name = "ImageInputError";
  constructor(
    readonly code: ImageInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** About a 7300x5500 photo; a decoded 40 MP image takes 120 MB of RGB. */
export const DEFAULT_MAX_INPUT_PIXELS = 40_000_000;
const SUPPORTED_FORMATS = new Set(["jpeg", "png", "webp"]);

export interface DecodeOptions {
  /** Images with more pixels than this are refused before they are decoded. */
  maxInputPixels?: number;
}

/** Decodes JPEG, PNG or WebP bytes (or a file path) to RGB with the EXIF orientation applied. */
export async function decodeImage(input: Uint8Array | string, options: DecodeOptions = {}): Promise<RgbImage> {
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  const bytes = typeof input === "string" ? await readImageFile(input) : input;
  if (bytes.length === 0) throw new ImageInputError("not_an_image", "image is empty (0 bytes)");

  const sniffed = sniffFormat(bytes);
  let format: string | undefined;
  let width = 0;
  let height = 0;
  try {
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    format = metadata.format;
    width = metadata.width ?? 0;
    height = metadata.height ?? 0;
  } catch (error) {
    if (sniffed) throw new ImageInputError("corrupt", `${sniffed} image is corrupt: ${firstLine(error)}`);
    throw new ImageInputError("not_an_image", "input is not an image (expected JPEG, PNG or WebP)");
  }
  if (!format || !SUPPORTED_FORMATS.has(format)) {
    throw new ImageInputError(
      "unsupported_format",
      `unsupported image format ${format ?? "unknown"} (expected JPEG, PNG or WebP)`,
    );
  }
  if (width * height > maxInputPixels) {
    throw new ImageInputError(
      "too_large",
      `image is ${width}x${height} (${formatMegapixels(width * height)}), above the limit of ${formatMegapixels(maxInputPixels)}`,
    );
  }

  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxInputPixels, failOn: "error" })
      .autoOrient()
      // Transparent pixels become white rather than whatever colour hides under them.
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    throw new ImageInputError("corrupt", `${format} image is corrupt: ${firstLine(error)}`);
  }
}

/** Wraps a raw rgb24 frame (e.g. from `ffmpeg -f rawvideo -pix_fmt rgb24`) without copying it. */
export function rgbFrame(data: Uint8Array, width: number, height: number): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ImageInputError("bad_frame", `frame size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new ImageInputError(
      "bad_frame",
      `rgb24 frame of ${width}x${height} needs ${width * height * 3} bytes, got ${data.length}`,
    );
  }
  return { data, width, height };
}

export async function encodeJpeg(image: RgbImage, quality = 90): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

async function readImageFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ImageInputError("unreadable", `cannot read ${path}${code ? ` (${code})` : ""}`);
  }
}

/** The format its first bytes claim, so damaged headers read as a corrupt image rather than "not an image". */
function sniffFormat(bytes: Uint8Array): "jpeg" | "png" | "webp" | undefined {
  const startsWith = (signature: number[], offset = 0) => signature.every((byte, i) => bytes[offset + i] === byte);
  if (startsWith([0xff, 0xd8, 0xff])) return "jpeg";
  if (startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith([0x52, 0x49, 0x46, 0x46]) && startsWith([0x57, 0x45, 0x42, 0x50], 8)) return "webp";
  return undefined;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

function formatMegapixels(pixels: number): string {
  return `${(pixels / 1_000_000).toFixed(1)} MP`;
}
