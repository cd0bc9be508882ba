/** The window of the frame rate and the dropped share. */
const WINDOW_MS = 10_000;

/** What a worker reports about one camera it analyses (Workers page, /api/metrics). */
export class CameraStats {
  framesAnalysed = 0;
  framesDropped = 0;
  /** Analysed frames that looked like the last one detected on, so detection was skipped (./motion-gate.ts). */
  framesUnchanged = 0;
  facesDetected = 0;
  recognitions = 0;
  unknownFaces = 0;
  private readonly latencies: number[] = [];
  private readonly frameTimes: number[] = [];
  private readonly dropTimes: number[] = [];

  constructor(
    readonly cameraId: string,
    readonly startedAt = Date.now(),
  ) {}

  /** `faces` found on the frame, or null when it was like the last one detected on and kept its faces. */
  analyzed(latencyMs: number, faces: number | null, now = Date.now()): void {
    this.framesAnalysed++;
    if (faces === null) this.framesUnchanged++;
    else this.facesDetected += faces;
    this.latencies.push(latencyMs);
    this.frameTimes.push(now);
    if (this.latencies.length > 200) this.latencies.shift();
    prune(this.frameTimes, now);
  }

  /** A frame arrived while the previous one was still being analysed, and replaced the waiting one. */
  dropped(now = Date.now()): void {
    this.framesDropped++;
    this.dropTimes.push(now);
    prune(this.dropTimes, now);
  }

  snapshot(now = Date.now()) {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
    const windowMs = Math.min(WINDOW_MS, now - this.startedAt);
    prune(this.frameTimes, now);
    prune(this.dropTimes, now);
    const arrived = this.frameTimes.length + this.dropTimes.length;
    return {
      cameraId: this.cameraId,
      fps: windowMs > 0 ? Number(((this.frameTimes.length * 1000) / windowMs).toFixed(2)) : 0,
      framesAnalysed: this.framesAnalysed,
      framesDropped: this.framesDropped,
      framesUnchanged: this.framesUnchanged,
      // Of the frames that arrived in the last 10 s, the share dropped: above 1 % the camera cannot keep up.
      droppedShare: arrived > 0 ? Number((this.dropTimes.length / arrived).toFixed(4)) : null,
      facesDetected: this.facesDetected,
      recognitions: this.recognitions,
      unknownFaces: this.unknownFaces,
      latencyP50Ms: at(0.5),
      latencyP95Ms: at(0.95),
      since: new Date(this.startedAt).toISOString(),
    };
  }
}

function prune(times: number[], now: number) {
  while ((times[0] ?? now) < now - WINDOW_MS) times.shift();
}
