import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeImage, encodeJpeg, ImageInputError, rgbFrame } from "./image";
import { fixturePath } from "./testing";

async function expectImageInputError(promise: Promise<unknown>, code: ImageInputError["code"], message: RegExp) {
  const error = await promise.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ImageInputError);
  expect((error as ImageInputError).code).toBe(code);
  expect((error as ImageInputError).message).toMatch(message);
}

describe("decodeImage", () => {
  it("decodes JPEG and PNG (with alpha) to RGB", async () => {
    const jpeg = await decodeImage(fixturePath("two_people.jpg"));
    expect([jpeg.width, jpeg.height, jpeg.data.length]).toEqual([1126, 661, 1126 * 661 * 3]);
    const png = await decodeImage(fixturePath("alex-lacamoire.png"));
    expect([png.width, png.height, png.data.length]).toEqual([424, 394, 424 * 394 * 3]);
  });

  it("decodes WebP", async () => {
    const webp = await sharp(fixturePath("alex-lacamoire.png")).webp().toBuffer();
    const image = await decodeImage(webp);
    expect([image.width, image.height]).toEqual([424, 394]);
  });

  it("applies the EXIF orientation", async () => {
    // 40x20, red on the left half; orientation 6 means "rotate 90° clockwise to display".
    const pixels = Buffer.alloc(40 * 20 * 3);
    for (let y = 0; y < 20; y++) for (let x = 0; x < 20; x++) pixels[(y * 40 + x) * 3] = 255;
    const jpeg = await sharp(pixels, { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const image = await decodeImage(jpeg);
    expect([image.width, image.height]).toEqual([20, 40]);
    // After the rotation the red half is on top.
    expect(image.data[(5 * 20 + 10) * 3]).toBeGreaterThan(200);
    expect(image.data[(35 * 20 + 10) * 3]).toBeLessThan(50);
  });

  it("refuses corrupt JPEG bytes", async () => {
    const jpeg = await readFile(fixturePath("obama.jpg"));
    const truncated = jpeg.subarray(0, jpeg.length / 2);
    await expectImageInputError(decodeImage(truncated), "corrupt", /jpeg image is corrupt: .*premature end/i);
    const damagedHeaders = Buffer.from(jpeg);
    damagedHeaders.fill(0x42, 4, 4000);
    await expectImageInputError(decodeImage(damagedHeaders), "corrupt", /jpeg image is corrupt/);
  });

  it("refuses a text file", async () => {
    await expectImageInputError(
      decodeImage(new URL("../package.json", import.meta.url).pathname),
      "not_an_image",
      /not an image/,
    );
    await expectImageInputError(decodeImage(new Uint8Array(0)), "not_an_image", /empty/);
  });

  it("refuses image formats other than JPEG, PNG and WebP", async () => {
    const gif = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } })
      .gif()
      .toBuffer();
    await expectImageInputError(decodeImage(gif), "unsupported_format", /unsupported image format gif/);
  });

  it("reports a missing file", async () => {
    await expectImageInputError(
      decodeImage("/nonexistent/face.jpg"),
      "unreadable",
      /cannot read \/nonexistent\/face.jpg \(ENOENT\)/,
    );
  });

  it("refuses images above the pixel cap before decoding them", async () => {
    const huge = await sharp({
      create: { width: 12000, height: 12000, channels: 3, background: "#808080" },
      limitInputPixels: false,
    })
      .jpeg()
      .toBuffer();
    await expectImageInputError(
      decodeImage(huge),
      "too_large",
      /12000x12000 \(144\.0 MP\), above the limit of 40\.0 MP/,
    );

    const medium = await sharp({ create: { width: 2000, height: 1500, channels: 3, background: "#808080" } })
      .png()
      .toBuffer();
    await expectImageInputError(
      decodeImage(medium, { maxInputPixels: 1_000_000 }),
      "too_large",
      /above the limit of 1\.0 MP/,
    );
    expect((await decodeImage(medium)).width).toBe(2000);
  });
});

describe("rgbFrame", () => {
  it("wraps raw rgb24 bytes without copying", () => {
    const bytes = new Uint8Array(4 * 2 * 3);
    expect(rgbFrame(bytes, 4, 2).data).toBe(bytes);
  });

  it("refuses a frame whose size does not match its bytes", () => {
    expect(() => rgbFrame(new Uint8Array(10), 4, 2)).toThrow(ImageInputError);
    expect(() => rgbFrame(new Uint8Array(10), 4, 2)).toThrow(/needs 24 bytes, got 10/);
    expect(() => rgbFrame(new Uint8Array(0), 0, 0)).toThrow(/positive integers/);
  });
});

describe("encodeJpeg", () => {
  it("round-trips through decodeImage", async () => {
    const image = await decodeImage(fixturePath("alex-lacamoire.png"));
    const again = await decodeImage(await encodeJpeg(image));
    expect([again.width, again.height]).toEqual([image.width, image.height]);
  });
});
