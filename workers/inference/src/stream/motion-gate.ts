import type { RgbImage } from "@consentry/vision";

/** The frame is cut into this many blocks across and down; each is compared on its own. */
const BLOCKS_ACROSS = 16;
const BLOCKS_DOWN = 9;
/** Every STEP-th pixel of every STEP-th row is sampled: 25 per block of a 640x360 frame. */
const STEP = 8;

/**
 * Whether a frame differs from the last one faces were detected on, cheaply (about 3,600 pixels
 * of a 640x360 frame are read): the mean brightness of each block of the frame, against the same
 * block then. A still scene (an empty corridor, a closed door) skips face detection and keeps the
 * faces found last. A block whose mean moves by more than `threshold` grey levels (a face walking
 * in moves its block by far more; compression noise by far less), or a last detection older than
 * `maxAgeMs`, detects again.
 */
export class MotionGate {
  private readonly reference = new Float32Array(BLOCKS_ACROSS * BLOCKS_DOWN);
  private readonly current = new Float32Array(BLOCKS_ACROSS * BLOCKS_DOWN);
  private readonly counts = new Uint16Array(BLOCKS_ACROSS * BLOCKS_DOWN);
  private referenceAt: number | null = null;
  private columns = { width: 0, blocks: new Uint8Array(0) };

  constructor(private readonly options: { threshold?: number; maxAgeMs?: number } = {}) {}

  /** True when `image` needs detection; it then becomes the reference for the frames after it. */
  changed(image: RgbImage, at: number): boolean {
    const { threshold = 3, maxAgeMs = 1000 } = this.options;
    this.blockMeans(image);
    let changed = this.referenceAt === null || at - this.referenceAt >= maxAgeMs;
    for (let block = 0; !changed && block < this.current.length; block++) {
      changed = Math.abs((this.current[block] as number) - (this.reference[block] as number)) > threshold;
    }
    if (changed) {
      this.reference.set(this.current);
      this.referenceAt = at;
    }
    return changed;
  }

  /** Mean brightness ((r + 2g + b) / 4) of each block's sampled pixels, into `current`. */
  private blockMeans({ data, width, height }: RgbImage) {
    const { current: means, counts } = this;
    means.fill(0);
    counts.fill(0);
    const columnBlocks = this.columnBlocks(width);
    for (let y = 0; y < height; y += STEP) {
      const row = Math.min(BLOCKS_DOWN - 1, Math.floor((y * BLOCKS_DOWN) / height)) * BLOCKS_ACROSS;
      for (let i = 0, offset = y * width * 3; i < columnBlocks.length; i++, offset += STEP * 3) {
        const block = row + (columnBlocks[i] as number);
        means[block] =
          (means[block] as number) +
          (data[offset] as number) +
          2 * (data[offset + 1] as number) +
          (data[offset + 2] as number);
        counts[block] = (counts[block] as number) + 1;
      }
    }
    for (let block = 0; block < means.length; block++) {
      means[block] = (means[block] as number) / 4 / Math.max(1, counts[block] as number);
    }
  }

  /** The block of each sampled column (a camera's frames keep one width). */
  private columnBlocks(width: number): Uint8Array {
    if (this.columns.width !== width) {
      const blocks = new Uint8Array(Math.ceil(width / STEP));
      for (let i = 0; i < blocks.length; i++) {
        blocks[i] = Math.min(BLOCKS_ACROSS - 1, Math.floor((i * STEP * BLOCKS_ACROSS) / width));
      }
      this.columns = { width, blocks };
    }
    return this.columns.blocks;
  }
}
