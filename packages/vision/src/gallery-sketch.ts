// Normalising and sketching templates: pure arithmetic, apart from GalleryIndex and its WebAssembly scan,
// so that the threads preparing a large gallery load nothing else.

export type TemplatePreparation = { modelId: string; dimensions: number; signs: Uint8Array | null };
export type PreparedTemplates = { modelId: string; vectors: Float32Array; sketches: Uint32Array | null };

/**
 * Normalises `embeddings` (row after row, in place) and sketches them as a GalleryIndex with this
 * `preparation` would on `add`: for loading a large gallery in worker threads.
 */
export function prepareTemplates(preparation: TemplatePreparation, embeddings: Float32Array): PreparedTemplates {
  const { dimensions, signs } = preparation;
  if (embeddings.length % dimensions !== 0) throw new Error(`not rows of ${dimensions} values`);
  const rows = embeddings.length / dimensions;
  const sketcher = signs ? new Sketcher(dimensions, signs) : null;
  const sketches = sketcher ? new Uint32Array(rows * sketcher.words * 2) : null;
  for (let row = 0; row < rows; row++) {
    const vector = embeddings.subarray(row * dimensions, (row + 1) * dimensions);
    normaliseInto(vector, vector);
    if (sketcher && sketches) sketches.set(sketcher.sketch(vector), row * sketcher.words * 2);
  }
  return { modelId: preparation.modelId, vectors: embeddings, sketches };
}

export function paddedLength(dimensions: number): number {
  let length = 1;
  while (length < dimensions) length *= 2;
  return length;
}

export function normaliseInto(source: Float32Array, target: Float32Array) {
  let sum = 0;
  for (let i = 0; i < source.length; i++) sum += (source[i] as number) * (source[i] as number);
  const scale = sum > 0 ? 1 / Math.sqrt(sum) : 0;
  for (let i = 0; i < source.length; i++) target[i] = (source[i] as number) * scale;
}

/**
 * Sign sketches from two randomised Hadamard rotations (x -> H D x, D random signs; the second applied to
 * the first's output): n random, mutually orthogonal hyperplanes each, for 2n bits. A dense Gaussian
 * projection would cost n² multiplications per template; this costs 2 n log n additions.
 */
export class Sketcher {
  /** 64-bit words per sketch. */
  readonly words: number;
  private readonly length: number;
  private readonly first: Float64Array;
  private readonly second: Float64Array;
  private readonly scratch: Float64Array;
  private readonly scratchHighWords: Uint32Array;
  private readonly out: Uint32Array;

  /** `signs`: one random byte per coordinate of each rotation (2 x the padded length), from `randomSigns`. */
  constructor(dimensions: number, signs: Uint8Array) {
    const length = paddedLength(dimensions);
    if (signs.length !== 2 * length) throw new Error(`expected ${2 * length} sign bytes, got ${signs.length}`);
    this.length = length;
    this.words = length / 32;
    const toSigns = (bytes: Uint8Array) => Float64Array.from(bytes, (byte) => (byte & 1 ? 1 : -1));
    this.first = toSigns(signs.subarray(0, length));
    this.second = toSigns(signs.subarray(length));
    this.scratch = new Float64Array(length);
    this.scratchHighWords = new Uint32Array(this.scratch.buffer);
    this.out = new Uint32Array(this.words * 2);
  }

  /** The sketch of `vector` (a reused buffer, valid until the next call). */
  sketch(vector: Float32Array): Uint32Array {
    const { scratch, scratchHighWords, first, second, length, out } = this;
    scratch.fill(0);
    for (let i = 0; i < vector.length; i++) scratch[i] = (vector[i] as number) * (first[i] as number);
    hadamard(scratch);
    packSigns(scratchHighWords, out, 0);
    for (let i = 0; i < length; i++) scratch[i] = (scratch[i] as number) * (second[i] as number);
    hadamard(scratch);
    packSigns(scratchHighWords, out, length / 32);
    return out;
  }
}

/**
 * The sign bits of `values`, 32 to a word, read off the float64s' own sign bits (the top bit of each
 * value's second 32-bit word, little-endian): no branch per value, which on real vectors is mispredicted
 * half the time.
 */
function packSigns(highWords: Uint32Array, out: Uint32Array, firstWord: number) {
  const words = highWords.length / 64;
  for (let word = 0; word < words; word++) {
    let bits = 0;
    for (let bit = 0, at = word * 64 + 1; bit < 32; bit++, at += 2) bits |= ((highWords[at] as number) >>> 31) << bit;
    out[firstWord + word] = bits >>> 0;
  }
}

/**
 * In-place fast Walsh-Hadamard transform (unnormalised: only signs are used); the length is a power of two.
 * Two stages per pass (radix 4) halve the passes over the vector.
 */
function hadamard(x: Float64Array) {
  const n = x.length;
  let h = 1;
  for (; 4 * h <= n; h *= 4) {
    for (let start = 0; start < n; start += 4 * h) {
      for (let i = start; i < start + h; i++) {
        const a = x[i] as number;
        const b = x[i + h] as number;
        const c = x[i + 2 * h] as number;
        const d = x[i + 3 * h] as number;
        x[i] = a + b + (c + d);
        x[i + h] = a - b + (c - d);
        x[i + 2 * h] = a + b - (c + d);
        x[i + 3 * h] = a - b - (c - d);
      }
    }
  }
  for (; h < n; h *= 2) {
    for (let start = 0; start < n; start += 2 * h) {
      for (let i = start; i < start + h; i++) {
        const a = x[i] as number;
        const b = x[i + h] as number;
        x[i] = a + b;
        x[i + h] = a - b;
      }
    }
  }
}
