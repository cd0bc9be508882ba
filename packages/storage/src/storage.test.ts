import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFileStore, ImageRejectedError, StorageKeyError, sanitizeImage, sha256Hex } from "./index";

const photo = () =>
  sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .withExif({ IFD0: { Copyright: "secret-owner-42", Artist: "secret-artist" } })
    .jpeg()
    .toBuffer();

describe("sanitizeImage", () => {
  it("re-encodes to JPEG without EXIF and hashes what it wrote", async () => {
    const input = await photo();
    expect((await sharp(input).metadata()).exif).toBeDefined();
    const clean = await sanitizeImage(input);
    const meta = await sharp(clean.bytes).metadata();
    expect(meta.format).toBe("jpeg");
    expect(meta.exif).toBeUndefined();
    expect(clean.bytes.includes("secret-owner-42")).toBe(false);
    expect([clean.width, clean.height]).toEqual([640, 480]);
    expect(clean.sha256).toBe(sha256Hex(clean.bytes));
  });

  it("applies the EXIF orientation before dropping it", async () => {
    const rotated = await sharp({ create: { width: 300, height: 100, channels: 3, background: "#08f" } })
      .withMetadata({ orientation: 6 })
      .jpeg()
      .toBuffer();
    const clean = await sanitizeImage(rotated);
    expect([clean.width, clean.height]).toEqual([100, 300]);
  });

  it("shrinks very large photos to the longest edge allowed", async () => {
    const big = await sharp({ create: { width: 4000, height: 1000, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const clean = await sanitizeImage(big, { maxEdge: 1000 });
    expect([clean.width, clean.height]).toEqual([1000, 250]);
  });

  it.each([
    ["text", () => Buffer.from("<script>alert(1)</script>"), "notAnImage"],
    ["a truncated JPEG", async () => (await photo()).subarray(0, 600), "corrupt"],
    [
      "an image over the pixel cap",
      () =>
        sharp({ create: { width: 3000, height: 3000, channels: 3, background: "#000" } })
          .png()
          .toBuffer(),
      "tooLarge",
    ],
  ] as const)("rejects %s with a reason", async (_label, make, reason) => {
    const error = await sanitizeImage(await make(), { maxPixels: 4_000_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageRejectedError);
    expect((error as ImageRejectedError).reason).toBe(reason);
  });
});

describe("file store", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "consentry-store-"));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("stores by content hash, reads back, and removes", async () => {
    const store = createFileStore(root);
    const bytes = Buffer.from("evidence");
    const { key, sha256 } = await store.put("sign-evidence", bytes, "jpg");
    expect(key).toBe(`sign-evidence/${sha256.slice(0, 2)}/${sha256}.jpg`);
    expect(await store.put("sign-evidence", bytes, "jpg")).toEqual({ key, sha256 });
    expect((await store.read(key)).toString()).toBe("evidence");
    expect(await readdir(join(root, "sign-evidence", sha256.slice(0, 2)))).toEqual([`${sha256}.jpg`]);
    await store.remove(key);
    await expect(store.read(key)).rejects.toThrow(/ENOENT/);
  });

  it("refuses keys that could leave the store", async () => {
    const store = createFileStore(root);
    for (const key of ["../../etc/passwd", `sign-evidence/aa/${"a".repeat(64)}.jpg/../../x`, "/etc/passwd"]) {
      expect(() => store.read(key)).toThrow(StorageKeyError);
    }
  });
});
