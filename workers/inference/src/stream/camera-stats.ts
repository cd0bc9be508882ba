/** What a worker reports about one camera it analyses (Workers page, /api/metrics). */
export class CameraStats {
  framesAnalysed = 0;
  framesDropped = 0;
  facesDetected = 0;
  recognitions = 0;
  unknownFaces = 0;
  private readonly latencies: number[] = [];
  private readonly frameTimes: number[] = [];

  constructor(
    readonly cameraId: string,
    readonly startedAt = Date.now(),
  ) {}

  analyzed(latencyMs: number, faces: number, now = Date.now()): void {
    this.framesAnalysed++;
    this.facesDetected += faces;
    this.latencies.push(latencyMs);
    this.frameTimes.push(now);
    if (this.latencies.length > 200) this.latencies.shift();
    while ((this.frameTimes[0] ?? now) < now - 10_000) this.frameTimes.shift();
  }

  snapshot(now = Date.now()) {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null;
    const windowMs = Math.min(10_000, now - this.startedAt);
    return {
      cameraId: this.cameraId,
      fps: windowMs > 0 ? Number(((this.frameTimes.length * 1000) / windowMs).toFixed(2)) : 0,
      framesAnalysed: this.framesAnalysed,
      framesDropped: this.framesDropped,
      facesDetected: this.facesDetected,
      recognitions: this.recognitions,
      unknownFaces: this.unknownFaces,
      latencyP50Ms: at(0.5),
      latencyP95Ms: at(0.95),
      since: new Date(this.startedAt).toISOString(),
    };
  }
}
