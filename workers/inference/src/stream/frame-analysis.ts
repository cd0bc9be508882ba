import { storeEventSnapshot } from "@consentry/core/sites";
import type { FileStore } from "@consentry/storage";
import type { Box, DetectedFace, FaceAnalyzer } from "@consentry/vision";
import type { GalleryCache } from "../gallery";
import type { CameraStats } from "./camera-stats";
import type { EventWriter } from "./events";
import type { RawFrame } from "./frames";
import { MotionGate } from "./motion-gate";
import { blurredSnapshot } from "./snapshot";
import type { FaceTracker } from "./tracker";

export type FrameAnalysisSettings = {
  matchThreshold: number;
  /** Sightings of a person at a camera less than this apart are one visit (one event). */
  trackGapMs: number;
};

/**
 * What happens to one camera's frames: detect, follow faces by box, embed a track when it is new
 * or due a re-check, match against the site's gallery. Every match is a sighting (the event
 * writer folds sightings into visits); a face that matches nobody is counted and forgotten.
 * With the site's `eventSnapshots` on, the first sighting of each visit also keeps a snapshot:
 * blurred in memory (every face but this person's) and encrypted before it is stored.
 */
export class FrameAnalysis {
  /** The site's choice, re-read while the camera runs. */
  snapshots: boolean;
  private readonly motion = new MotionGate();
  /** The faces found on the last frame detected on: a frame like it keeps them. */
  private lastFaces: readonly DetectedFace[] = [];
  /** Per person, this camera's latest sighting and whether that visit has its snapshot. */
  private readonly visits = new Map<string, { lastSeenAt: number; snapshot: boolean }>();

  constructor(
    private readonly deps: {
      analyzer: FaceAnalyzer;
      galleries: Pick<GalleryCache, "forSite">;
      events: Pick<EventWriter, "recognised" | "unknownFace" | "snapshotFailed">;
      storage: Pick<FileStore, "put" | "remove">;
      settings: FrameAnalysisSettings;
      camera: { id: string; orgId: string; siteId: string };
      stats: CameraStats;
      tracker: FaceTracker;
      /** Aborted when the lease stops: a frame finished after that records nothing. */
      stopped: AbortSignal;
      snapshots: boolean;
    },
  ) {
    this.snapshots = deps.snapshots;
  }

  async analyze(frame: RawFrame): Promise<void> {
    const { analyzer, galleries, events, settings, camera, stats, tracker, stopped } = this.deps;
    const started = performance.now();
    // Boxes only: landmarks are located for the faces that get embedded, not for every face in every
    // frame. A frame like the last one detected on keeps its faces (./motion-gate.ts).
    const changed = this.motion.changed(frame, frame.at);
    const faces = changed ? await analyzer.detectBoxes(frame) : this.lastFaces;
    this.lastFaces = faces;
    const gallery = await galleries.forSite(camera.siteId);
    const due = tracker.update(faces, frame.at).filter(({ track }) => tracker.needsCheck(track, frame.at));
    for (const { track } of due) track.checkedAt = frame.at;
    // With nobody enrolled there is nothing to match: the faces are only counted. The faces due go
    // in one call, so a crowd entering waits one turn at the analyzer, not one turn per face.
    const templates =
      gallery.size > 0 && due.length > 0
        ? await analyzer.embedFaces(
            frame,
            due.map(({ face }) => face),
          )
        : [];
    // A frame finished after the stop (a lost lease) records nothing: another worker may own the camera.
    if (stopped.aborted) return;
    for (const [index, { track, face }] of due.entries()) {
      const template = templates[index];
      const match = template ? gallery.best(template, settings.matchThreshold) : null;
      // The embedding is gone after this point; an unknown face leaves only a count behind.
      if (match) {
        const snapshotKey = await this.snapshotFor(match.subjectId.subjectId, frame, face, faces);
        if (stopped.aborted) {
          if (snapshotKey) await this.deps.storage.remove(snapshotKey).catch(() => undefined);
          return;
        }
        events.recognised({
          orgId: camera.orgId,
          siteId: camera.siteId,
          cameraId: camera.id,
          ...match.subjectId,
          modelId: analyzer.modelId,
          score: match.similarity,
          at: new Date(frame.at),
          ...(snapshotKey ? { snapshotKey } : {}),
        });
        if (track.identity?.templateId !== match.subjectId.templateId) stats.recognitions++;
        track.identity = match.subjectId;
        track.misses = 0;
      } else {
        track.identity = null;
        track.misses++;
        if (!track.countedUnknown) {
          track.countedUnknown = true;
          events.unknownFace(camera.id, frame.at);
          stats.unknownFaces++;
        }
      }
    }
    stats.analyzed(performance.now() - started, changed ? faces.length : null);
  }

  /** After a consent is withdrawn or an erasure: nobody's visit goes on from before it. */
  forgetVisits(): void {
    this.visits.clear();
  }

  /**
   * The storage key of a snapshot for this sighting, when the site keeps them and this visit has
   * none yet; otherwise (or when storing fails, which is counted and retried at the next sighting)
   * undefined. Nothing of the frame outlives this call but the sealed, blurred file.
   */
  private async snapshotFor(
    subjectId: string,
    frame: RawFrame,
    face: { readonly box: Box },
    faces: readonly { readonly box: Box }[],
  ): Promise<string | undefined> {
    const { trackGapMs } = this.deps.settings;
    for (const [id, visit] of this.visits) if (frame.at - visit.lastSeenAt > trackGapMs) this.visits.delete(id);
    const visit = this.visits.get(subjectId) ?? { lastSeenAt: frame.at, snapshot: false };
    visit.lastSeenAt = frame.at;
    this.visits.set(subjectId, visit);
    if (!this.snapshots || visit.snapshot) return undefined;
    visit.snapshot = true;
    try {
      const jpeg = await blurredSnapshot(
        frame,
        face,
        faces.filter((other) => other !== face),
      );
      return await storeEventSnapshot(this.deps.storage, jpeg);
    } catch (error) {
      visit.snapshot = false;
      this.deps.events.snapshotFailed(error);
      return undefined;
    }
  }
}
