import { decryptString, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { type Database, eq, schema } from "@consentry/db";
import { checkCameraUrl } from "@consentry/network";
import type { FileStore } from "@consentry/storage";
import type { FaceAnalyzer } from "@consentry/vision";
import type { GalleryCache } from "../gallery";
import { CameraStats } from "./camera-stats";
import type { EventWriter } from "./events";
import { FrameAnalysis } from "./frame-analysis";
import { openFrameSource, type RawFrame } from "./frames";
import { FaceTracker } from "./tracker";

export type StreamSettings = {
  /** Frames are scaled (letterboxed) to this size before detection. */
  frameWidth: number;
  frameHeight: number;
  matchThreshold: number;
  /** A tracked face is embedded again after this long, to confirm (or lose) its identity. */
  recheckMs: number;
  /** How often the camera's settings are re-read, besides the pub/sub invalidations. */
  settingsPollMs: number;
  stallTimeoutMs: number;
  /** Sightings of a person at a camera less than this apart are one visit: one event (INFERENCE_TRACK_GAP_SECONDS). */
  trackGapMs: number;
};

/** The camera's address is outside its organisation's camera networks (or reserved): not analysed. */
export class BlockedCameraError extends Error {
  override name = "BlockedCameraError";
}

export type ActiveCamera = {
  siteId: string;
  stats: CameraStats;
  tracker: FaceTracker;
  analysis: FrameAnalysis;
  stop: AbortController;
};

/** Loads the camera if face recognition should run on it now. */
async function loadCamera(db: Database, cameraId: string) {
  const [camera] = await db
    .select({
      id: schema.cameras.id,
      orgId: schema.cameras.orgId,
      siteId: schema.cameras.siteId,
      frEnabled: schema.cameras.frEnabled,
      disabledAt: schema.cameras.disabledAt,
      analysisFps: schema.cameras.analysisFps,
      rtspUrlEnc: schema.cameras.rtspUrlEnc,
      updatedAt: schema.cameras.updatedAt,
      siteArchivedAt: schema.sites.archivedAt,
      eventSnapshots: schema.sites.eventSnapshots,
    })
    .from(schema.cameras)
    .innerJoin(schema.sites, eq(schema.sites.id, schema.cameras.siteId))
    .where(eq(schema.cameras.id, cameraId));
  return camera?.frEnabled && !camera.disabledAt && !camera.siteArchivedAt ? camera : null;
}

/**
 * The body of a camera's lease: analyse its stream until face recognition is turned off there,
 * the camera changes, or the worker stops. Frames that arrive while the previous one is still
 * being analysed replace the waiting one and are counted as dropped; nothing queues up.
 * A face that matches nobody in the site's gallery is counted and forgotten at once
 * (./frame-analysis.ts).
 */
export async function analyzeCamera(deps: {
  db: Database;
  analyzer: FaceAnalyzer;
  galleries: GalleryCache;
  events: EventWriter;
  /** Where event snapshots go, sealed (only when the site keeps them). */
  storage: Pick<FileStore, "put" | "remove">;
  settings: StreamSettings;
  active: Map<string, ActiveCamera>;
  cameraId: string;
  /** Aborted by the worker on shutdown, or when it lost this camera's lease; its reason is the stop reason. */
  shutdown: AbortSignal;
  /** Called once the stream's first frame is analysed: when ffmpeg was started, and when that frame arrived. */
  onFirstFrame?: (timing: { streamOpenedAt: number; frameAt: number }) => void;
}): Promise<{ stopped: string }> {
  const { db, analyzer, galleries, events, settings, cameraId } = deps;
  const camera = await loadCamera(db, cameraId);
  if (!camera) return { stopped: "face recognition is off for this camera" };
  // Checked and resolved now, before ffmpeg connects, and ffmpeg gets the checked IP literal: the
  // network list may have changed since registration, a name may now point elsewhere. Failing
  // the lease (not completing it) puts the camera on the retry backoff.
  const verdict = await checkCameraUrl(db, camera.orgId, decryptString(camera.rtspUrlEnc, RTSP_URL_CONTEXT));
  if (!verdict.ok) throw new BlockedCameraError(`blocked by network policy (${verdict.reason})`);
  if (deps.shutdown.aborted) return { stopped: String(deps.shutdown.reason ?? "worker shutting down") };
  const stats = new CameraStats(cameraId);
  const tracker = new FaceTracker({ recheckMs: settings.recheckMs });
  const stop = new AbortController();
  const onShutdown = () => stop.abort(deps.shutdown.reason ?? "worker shutting down");
  deps.shutdown.addEventListener("abort", onShutdown);
  const analysis = new FrameAnalysis({
    analyzer,
    galleries,
    events,
    storage: deps.storage,
    settings,
    camera: { id: cameraId, orgId: camera.orgId, siteId: camera.siteId },
    stats,
    tracker,
    stopped: stop.signal,
    snapshots: camera.eventSnapshots,
  });
  deps.active.set(cameraId, { siteId: camera.siteId, stats, tracker, analysis, stop });

  let waiting: RawFrame | null = null;
  let busy = false;
  let failure: ((error: unknown) => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    failure = reject;
  });

  const pump = async () => {
    busy = true;
    try {
      while (waiting && !stop.signal.aborted) {
        const frame = waiting;
        waiting = null;
        await analysis.analyze(frame);
        if (stats.framesAnalysed === 1) deps.onFirstFrame?.({ streamOpenedAt, frameAt: frame.at });
      }
    } catch (error) {
      failure?.(error);
    } finally {
      busy = false;
    }
  };

  const streamOpenedAt = Date.now();
  const source = openFrameSource({
    url: verdict.url,
    fps: camera.analysisFps,
    width: settings.frameWidth,
    height: settings.frameHeight,
    stallTimeoutMs: settings.stallTimeoutMs,
    onFrame: (frame) => {
      if (waiting) stats.dropped();
      waiting = frame;
      if (!busy) void pump();
    },
  });

  // Settings changes also arrive by pub/sub; this poll is the safety net. The site's snapshot
  // choice is only read here (the event insert checks it again, so "off" holds at once).
  const poll = setInterval(async () => {
    const current = await loadCamera(db, cameraId).catch(() => undefined);
    if (current === null || (current && current.updatedAt.getTime() !== camera.updatedAt.getTime())) {
      stop.abort("camera settings changed");
    }
    if (current) analysis.snapshots = current.eventSnapshots;
  }, settings.settingsPollMs);

  const stopped = new Promise<void>((resolve) => stop.signal.addEventListener("abort", () => resolve()));
  try {
    await Promise.race([source.done, stopped, failed]);
    return { stopped: String(stop.signal.reason ?? "stream ended") };
  } finally {
    clearInterval(poll);
    stop.abort("lease ended");
    deps.shutdown.removeEventListener("abort", onShutdown);
    deps.active.delete(cameraId);
    // The lease ends only once ffmpeg has exited: the next holder opens the stream at once.
    source.stop();
    await source.done.catch(() => {});
  }
}
