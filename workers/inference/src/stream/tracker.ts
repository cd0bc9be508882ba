/** [x1, y1, x2, y2] in pixels. */
export type Box = readonly [number, number, number, number];

export function intersectionOverUnion(a: Box, b: Box): number {
  const width = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const height = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const area = (box: Box) => (box[2] - box[0]) * (box[3] - box[1]);
  return intersection / (area(a) + area(b) - intersection);
}

export type Track = {
  id: number;
  box: Box;
  lastSeenAt: number;
  /** When the face was last embedded and matched; 0 until the first time. */
  checkedAt: number;
  /** Who the face matched at the last check, if anyone. Unknown faces keep nothing else. */
  identity: { subjectId: string; templateId: string } | null;
  /** Whether this track was already counted as an unknown face. */
  countedUnknown: boolean;
  /** Checks in a row that matched nobody: an unknown face is re-checked less and less often. */
  misses: number;
};

/** Unknown faces are re-checked at `recheckMs` twice, then at 2x, 4x and at most 8x that. */
const MAX_BACKOFF = 8;

/**
 * Follows faces from frame to frame by box overlap, so each person is embedded once per track
 * and re-checked every `recheckMs`, not on every frame. Tracks hold boxes only: no pixels and,
 * for unknown faces, no embedding.
 */
export class FaceTracker {
  private tracks: Track[] = [];
  private nextId = 1;

  constructor(private readonly options: { minOverlap?: number; forgetAfterMs?: number; recheckMs?: number } = {}) {}

  /** Assigns each detected box to a track (greedy by overlap) and forgets tracks not seen lately. */
  update<Face extends { box: Box }>(faces: readonly Face[], now: number): { track: Track; face: Face }[] {
    const { minOverlap = 0.3, forgetAfterMs = 1500 } = this.options;
    this.tracks = this.tracks.filter((track) => now - track.lastSeenAt <= forgetAfterMs);
    const candidates: { track: Track; faceIndex: number; overlap: number }[] = [];
    for (const track of this.tracks) {
      faces.forEach((face, faceIndex) => {
        const overlap = intersectionOverUnion(track.box, face.box);
        if (overlap >= minOverlap) candidates.push({ track, faceIndex, overlap });
      });
    }
    candidates.sort((a, b) => b.overlap - a.overlap);
    const assigned = new Map<number, Track>();
    const usedTracks = new Set<Track>();
    for (const { track, faceIndex } of candidates) {
      if (assigned.has(faceIndex) || usedTracks.has(track)) continue;
      assigned.set(faceIndex, track);
      usedTracks.add(track);
    }
    return faces.map((face, faceIndex) => {
      let track = assigned.get(faceIndex);
      if (!track) {
        track = {
          id: this.nextId++,
          box: face.box,
          lastSeenAt: now,
          checkedAt: 0,
          identity: null,
          countedUnknown: false,
          misses: 0,
        };
        this.tracks.push(track);
      }
      track.box = face.box;
      track.lastSeenAt = now;
      return { track, face };
    });
  }

  /**
   * A new track, or one whose last check is older than `recheckMs`, or for a face that matched
   * nobody several times in a row, older than a doubling multiple of it (an audience that stays
   * unknown is not embedded every few seconds; a face that turns towards the camera still is soon).
   */
  needsCheck(track: Track, now: number): boolean {
    const backoff = Math.min(2 ** Math.max(0, track.misses - 2), MAX_BACKOFF);
    return track.checkedAt === 0 || now - track.checkedAt >= (this.options.recheckMs ?? 3000) * backoff;
  }

  /** After a consent is withdrawn: nobody stays recognised on the strength of an old match. */
  forgetIdentities(): void {
    for (const track of this.tracks) {
      track.identity = null;
      track.checkedAt = 0;
      track.misses = 0;
    }
  }

  get size(): number {
    return this.tracks.length;
  }
}
