import { decryptString, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { and, type Database, eq, isNull, schema } from "@consentry/db";
import { enqueueCameraProbe, JOBS, processorFor } from "@consentry/queue";
import type { Queue } from "bullmq";
import type { Logger } from "pino";
import { type ProbeResult, probeRtsp } from "../probe/ffprobe";

const { cameras, cameraStatusEvents } = schema;
type CameraStatus = (typeof cameras.status.enumValues)[number];

/** A probe slower than this (it includes RTSP setup and reading a keyframe), or a stream below this
 * frame rate, marks the camera degraded. */
export const DEGRADED_LATENCY_MS = 6000;
export const DEGRADED_FPS = 5;

/**
 * The camera's status from one probe. A camera that was seen before and now fails is
 * offline; one that has never answered is unreachable (a wrong address or path).
 */
export function statusFromProbe(result: ProbeResult, everSeen: boolean): CameraStatus {
  if (result.ok) {
    const slow = result.latencyMs > DEGRADED_LATENCY_MS || (result.fps !== null && result.fps < DEGRADED_FPS);
    return slow ? "degraded" : "online";
  }
  if (result.failure === "auth_failed") return "auth_failed";
  return everSeen ? "offline" : "unreachable";
}

export type CameraProbeDeps = { db: Database; logger: Logger; timeoutMs?: number };

/** Probes one camera and records its status, adding a history entry when the status changes. */
export function cameraProbeProcessor({ db, logger, timeoutMs }: CameraProbeDeps) {
  return processorFor(JOBS.cameraProbe, async ({ cameraId }) => {
    const [camera] = await db.select().from(cameras).where(eq(cameras.id, cameraId));
    if (!camera || camera.disabledAt) return { skipped: true };

    const result = await probeRtsp(decryptString(camera.rtspUrlEnc, RTSP_URL_CONTEXT), timeoutMs);
    const status = statusFromProbe(result, camera.lastSeenAt !== null);
    const now = new Date();
    await db.transaction(async (tx) => {
      await tx
        .update(cameras)
        .set({
          status,
          lastProbedAt: now,
          probeLatencyMs: result.latencyMs,
          ...(result.ok && {
            lastSeenAt: now,
            probeCodec: result.codec,
            probeWidth: result.width,
            probeHeight: result.height,
            probeFps: result.fps,
          }),
        })
        .where(eq(cameras.id, camera.id));
      if (status !== camera.status) {
        await tx.insert(cameraStatusEvents).values({
          cameraId: camera.id,
          at: now,
          status,
          detail: result.ok ? `${result.codec} ${result.width}x${result.height}` : result.detail,
          probeLatencyMs: result.latencyMs,
        });
      }
    });
    if (status !== camera.status) {
      logger.info(
        { cameraId: camera.id, from: camera.status, to: status, latencyMs: result.latencyMs },
        "camera status changed",
      );
    }
    return { status, latencyMs: result.latencyMs };
  });
}

/** Fans out one probe job per enabled camera; probes still waiting absorb the new ones. */
export function cameraProbeSweepProcessor({ db, probeQueue }: { db: Database; probeQueue: Queue }) {
  return processorFor(JOBS.cameraProbeSweep, async () => {
    const ids = await db
      .select({ id: cameras.id })
      .from(cameras)
      .where(and(isNull(cameras.disabledAt)));
    for (const { id } of ids) await enqueueCameraProbe(probeQueue, id);
    return { enqueued: ids.length };
  });
}
