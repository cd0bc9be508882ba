import {
  normaliseInto,
  type PreparedTemplates,
  paddedLength,
  Sketcher,
  type TemplatePreparation,
} from "./gallery-sketch";
import { type HammingScan, hammingScan, type WasmMemory, wasmMemory } from "./hamming-scan";
import { DEFAULT_MATCH_THRESHOLD, type FaceTemplate, type GalleryMatch, ModelMismatchError } from "./match";

/** Below this many templates every one is compared exactly; from it on, the sketches pick candidates first. */
export const EXACT_SCAN_BELOW = 2000;
/**
 * The chance that a template exactly at the threshold is left out by the sketch filter (so not matched:
 * no event, never a wrong one). It falls fast above the threshold: below 1e-15 at 0.05 above.
 */
export const SKETCH_MISS_PROBABILITY = 1e-9;
/**
 * At most this many templates are compared exactly per match, nearest sketches first (a quarter of a
 * millisecond at most). It only binds when more templates than this are near the probe; a template at the
 * threshold is then left out only if this many others have nearer sketches.
 */
export const MAX_EXACT_COMPARISONS = 256;

/**
 * One model's face templates, packed for matching at scale: the vectors L2-normalised in one Float32Array
 * (row after row), the subjects in a parallel array, and per row a sketch of 2 x dimensions sign bits
 * (random hyperplanes: signs of two randomised Hadamard rotations of the vector) in WebAssembly memory.
 *
 * Two vectors at angle θ disagree in a fraction θ/π of such bits (Charikar's SimHash), so for a threshold
 * the number of disagreeing bits of a template exactly at it is about Binomial(bits, acos(threshold)/π).
 * `best` scans the sketches (i64.popcnt in WebAssembly: about 1 ms for 100,000 rows, most of it reading
 * their 12.8 MB) and keeps the rows within the distance that such a template exceeds with probability
 * below SKETCH_MISS_PROBABILITY; it compares those exactly in float, nearest sketches first, at most
 * MAX_EXACT_COMPARISONS of them. A returned similarity is the exact cosine, and a template below the
 * threshold is never returned: an approximation can only miss a match, not make one. Small galleries skip
 * the sketches and compare every row.
 */
export class GalleryIndex<SubjectId = string> {
  private vectors: Float32Array;
  private readonly subjects: SubjectId[] = [];
  private readonly signs: Uint8Array | null;
  private readonly sketcher: Sketcher | null;
  private readonly sketches: SketchStore | null;
  private readonly probe: Float32Array;
  private readonly cutoffs = new Map<number, number>();
  private counts: Uint32Array | null = null;
  private sorted = new Uint32Array(0);

  constructor(
    readonly modelId: string,
    readonly dimensions = 512,
    private capacity = 0,
  ) {
    this.vectors = new Float32Array(capacity * dimensions);
    this.probe = new Float32Array(dimensions);
    // Sketches need enough bits to say anything; tiny vectors (tests) are always compared exactly.
    this.signs = dimensions >= 32 ? crypto.getRandomValues(new Uint8Array(2 * paddedLength(dimensions))) : null;
    this.sketcher = this.signs ? new Sketcher(dimensions, this.signs) : null;
    this.sketches = this.sketcher ? new SketchStore(this.sketcher.words, capacity) : null;
  }

  get size(): number {
    return this.subjects.length;
  }

  /** Adds a template (copied, normalised); ModelMismatchError for a template of another model. */
  add(template: FaceTemplate, subjectId: SubjectId): void {
    if (template.modelId !== this.modelId) throw new ModelMismatchError(this.modelId, template.modelId);
    const { dimensions } = this;
    if (template.embedding.length !== dimensions) {
      throw new Error(`embedding lengths differ: ${template.embedding.length} and ${dimensions}`);
    }
    const row = this.subjects.length;
    if (row === this.capacity) this.grow();
    const target = this.vectors.subarray(row * dimensions, (row + 1) * dimensions);
    normaliseInto(template.embedding, target);
    if (this.sketcher && this.sketches) this.sketches.set(row, this.sketcher.sketch(target));
    this.subjects.push(subjectId);
  }

  /**
   * What another thread needs to prepare templates for `addPrepared` (see `prepareTemplates`): the
   * dimensions and this index's random rotations.
   */
  get preparation(): TemplatePreparation {
    return { modelId: this.modelId, dimensions: this.dimensions, signs: this.signs };
  }

  /** Adds rows made by `prepareTemplates` with this index's `preparation` (copied). */
  addPrepared(prepared: PreparedTemplates, subjectIds: readonly SubjectId[]): void {
    if (prepared.modelId !== this.modelId) throw new ModelMismatchError(this.modelId, prepared.modelId);
    const { dimensions } = this;
    const count = subjectIds.length;
    if (prepared.vectors.length !== count * dimensions) throw new Error("prepared vectors do not match the subjects");
    if (this.sketches && prepared.sketches?.length !== count * (this.sketcher as Sketcher).words * 2) {
      throw new Error("prepared sketches do not match the subjects");
    }
    while (this.subjects.length + count > this.capacity) this.grow();
    const row = this.subjects.length;
    this.vectors.set(prepared.vectors, row * dimensions);
    if (this.sketches && prepared.sketches) this.sketches.setMany(row, prepared.sketches);
    for (const subjectId of subjectIds) this.subjects.push(subjectId);
  }

  /**
   * The most similar template at or above `threshold` (its exact cosine), or null. Throws ModelMismatchError
   * for a probe of another model: templates of different models are not comparable.
   */
  best(probe: FaceTemplate, threshold = DEFAULT_MATCH_THRESHOLD): GalleryMatch<SubjectId> | null {
    if (probe.modelId !== this.modelId) throw new ModelMismatchError(this.modelId, probe.modelId);
    if (probe.embedding.length !== this.dimensions) {
      throw new Error(`embedding lengths differ: ${probe.embedding.length} and ${this.dimensions}`);
    }
    const size = this.size;
    if (size === 0) return null;
    const { vectors, dimensions, probe: query } = this;
    normaliseInto(probe.embedding, query);
    let bestRow = -1;
    let bestSimilarity = threshold;
    /** Compares one row exactly; true when it is the best so far. */
    const improves = (row: number) => {
      const similarity = dot(vectors, row * dimensions, query, dimensions);
      if (!(similarity > bestSimilarity || (bestRow < 0 && similarity >= bestSimilarity))) return false;
      bestRow = row;
      bestSimilarity = similarity;
      return true;
    };
    if (this.sketcher && this.sketches && size >= EXACT_SCAN_BELOW) {
      let stopAt = this.cutoff(threshold);
      const found = this.sketches.scan(this.sketcher.sketch(query), size, stopAt);
      // Nearest sketches first: once a match is found, only more similar templates matter, and their
      // smaller cutoff ends the walk early.
      const sorted = this.sortByDistance(found, this.sketcher.words * 64);
      const count = Math.min(found.length / 2, MAX_EXACT_COMPARISONS);
      for (let i = 0; i < count; i++) {
        if ((sorted[2 * i + 1] as number) > stopAt) break;
        if (improves(sorted[2 * i] as number)) {
          stopAt = Math.min(stopAt, this.cutoff(Math.floor(bestSimilarity * 100) / 100));
        }
      }
    } else {
      for (let row = 0; row < size; row++) improves(row);
    }
    return bestRow < 0 ? null : { subjectId: this.subjects[bestRow] as SubjectId, similarity: bestSimilarity };
  }

  /** Drops the spare capacity (after loading a gallery of unknown size). */
  trim(): void {
    if (this.capacity === this.size) return;
    this.vectors = this.vectors.slice(0, this.size * this.dimensions);
    this.capacity = this.size;
  }

  /** The largest sketch distance kept for `threshold` (memoised: thresholds come in 0.01 steps, or the setting). */
  private cutoff(threshold: number): number {
    let cutoff = this.cutoffs.get(threshold);
    if (cutoff === undefined) {
      const bits = (this.sketcher as Sketcher).words * 64;
      const angle = Math.acos(Math.max(-1, Math.min(1, threshold)));
      cutoff = binomialQuantile(bits, angle / Math.PI, SKETCH_MISS_PROBABILITY);
      this.cutoffs.set(threshold, cutoff);
    }
    return cutoff;
  }

  /** The (row, distance) pairs by increasing distance: a counting sort, distances being at most `bits`. */
  private sortByDistance(pairs: Uint32Array, bits: number): Uint32Array {
    if (this.counts?.length !== bits + 2) this.counts = new Uint32Array(bits + 2);
    const counts = this.counts;
    counts.fill(0);
    for (let i = 1; i < pairs.length; i += 2) {
      const slot = (pairs[i] as number) + 1;
      counts[slot] = (counts[slot] as number) + 1;
    }
    for (let d = 1; d < counts.length; d++) counts[d] = (counts[d] as number) + (counts[d - 1] as number);
    if (this.sorted.length < pairs.length)
      this.sorted = new Uint32Array(Math.max(pairs.length, 2 * this.sorted.length));
    const sorted = this.sorted;
    for (let i = 0; i < pairs.length; i += 2) {
      const distance = pairs[i + 1] as number;
      const at = 2 * (counts[distance] as number);
      counts[distance] = (counts[distance] as number) + 1;
      sorted[at] = pairs[i] as number;
      sorted[at + 1] = distance;
    }
    return sorted;
  }

  private grow() {
    this.capacity = Math.max(16, Math.ceil(this.capacity * 1.5));
    const vectors = new Float32Array(this.capacity * this.dimensions);
    vectors.set(this.vectors);
    this.vectors = vectors;
    this.sketches?.reserve(this.capacity);
  }
}

/** Four running sums (in float64): V8 keeps them in registers. */
function dot(matrix: Float32Array, offset: number, vector: Float32Array, length: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < length; i += 4) {
    s0 += (matrix[offset + i] as number) * (vector[i] as number);
    s1 += (matrix[offset + i + 1] as number) * (vector[i + 1] as number);
    s2 += (matrix[offset + i + 2] as number) * (vector[i + 2] as number);
    s3 += (matrix[offset + i + 3] as number) * (vector[i + 3] as number);
  }
  for (; i < length; i++) s0 += (matrix[offset + i] as number) * (vector[i] as number);
  return s0 + s1 + s2 + s3;
}

/** Smallest c with P(X > c) <= tail for X ~ Binomial(n, p). */
export function binomialQuantile(n: number, p: number, tail: number): number {
  if (p <= 0) return 0;
  if (p >= 1) return n;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  let logChoose = 0; // log C(n, n - k) as k counts down from n
  let above = 0;
  for (let c = n; c > 0; c--) {
    // P(X = c), with log C(n, c) built up from C(n, n) = 1.
    above += Math.exp(logChoose + c * logP + (n - c) * logQ);
    if (above > tail) return c;
    logChoose += Math.log(c) - Math.log(n - c + 1);
  }
  return 0;
}

/**
 * The sketches in WebAssembly memory and the scan over them. Layout: the probe's sketch at 0, then one
 * sketch per row, then room for the candidates' row numbers.
 */
class SketchStore {
  private readonly memory: WasmMemory;
  private readonly rowBytes: number;
  private capacity = 0;
  private scanRows: HammingScan | null = null;

  constructor(
    private readonly words: number,
    capacity: number,
  ) {
    this.rowBytes = words * 8;
    this.memory = wasmMemory(1);
    this.reserve(capacity);
  }

  reserve(capacity: number) {
    if (capacity <= this.capacity) return;
    const bytes = this.rowBytes + capacity * (this.rowBytes + 8);
    const pages = Math.ceil(bytes / 65_536) - this.memory.buffer.byteLength / 65_536;
    if (pages > 0) this.memory.grow(pages);
    this.capacity = capacity;
  }

  set(row: number, sketch: Uint32Array) {
    new Uint32Array(this.memory.buffer, this.rowBytes * (row + 1), this.words * 2).set(sketch);
  }

  /** Consecutive rows' sketches from `row` on. */
  setMany(row: number, sketches: Uint32Array) {
    new Uint32Array(this.memory.buffer, this.rowBytes * (row + 1), sketches.length).set(sketches);
  }

  /**
   * (row, distance) pairs of the rows whose sketch differs from `probe` in at most `cutoff` bits (a view,
   * valid until the next scan).
   */
  scan(probe: Uint32Array, rows: number, cutoff: number): Uint32Array {
    this.scanRows ??= hammingScan(this.words, this.memory);
    new Uint32Array(this.memory.buffer, 0, this.words * 2).set(probe);
    const out = this.rowBytes * (this.capacity + 1);
    const count = this.scanRows(this.rowBytes, rows, cutoff, out);
    return new Uint32Array(this.memory.buffer, out, 2 * count);
  }
}
