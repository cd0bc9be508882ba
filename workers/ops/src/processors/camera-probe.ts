import { type CreatedNotification, cameraStatusNotifications } from "@consentry/core/notifications";
import { decryptString, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { and, type Database, eq, isNull, schema } from "@consentry/db";
import { checkCameraUrl } from "@consentry/network";
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
  if (result.failure === "blocked") return "unreachable";
  return everSeen ? "offline" : "unreachable";
}

const POLICY_TEXT = {
  invalid: "not a valid address",
  not_allowed: "not in the organisation's camera networks",
  reserved: "reserved address",
  unresolvable: "name did not resolve",
} as const;

export type CameraProbeDeps = {
  db: Database;
  logger: Logger;
  timeoutMs?: number;
  /**
   * Members hear of a camera down for `offlineMinutes` (once per outage) and of its return;
   * `queueMail` queues the mail of the notifications just created.
   */
  notifications?: { offlineMinutes: number; queueMail: (created: CreatedNotification[]) => Promise<unknown> };
};

/**
 * Probes one camera and records its status, adding a history entry when the status changes,
 * then tells its members of an outage or its end (after the commit; a failure there is logged,
 * never the probe's: the next probe tries again).
 */
export function cameraProbeProcessor({ db, logger, timeoutMs, notifications }: CameraProbeDeps) {
  return processorFor(JOBS.cameraProbe, async ({ cameraId }) => {
    const [camera] = await db.select().from(cameras).where(eq(cameras.id, cameraId));
    if (!camera || camera.disabledAt) return { skipped: true };

    // Checked again now, name resolved now (the network list may have changed, a name may rebind),
    // and the probe connects to the checked address. A refused camera is never contacted, so its
    // status cannot tell members whether something listens there.
    const verdict = await checkCameraUrl(db, camera.orgId, decryptString(camera.rtspUrlEnc, RTSP_URL_CONTEXT));
    const result: ProbeResult = verdict.ok
      ? await probeRtsp(verdict.url, timeoutMs)
      : {
          ok: false,
          latencyMs: 0,
          failure: "blocked",
          detail: `blocked by network policy (${POLICY_TEXT[verdict.reason]})`,
        };
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
    if (notifications) {
      try {
        const created = await cameraStatusNotifications(db, {
          cameraId: camera.id,
          previous: camera.status,
          current: status,
          now,
          offlineMinutes: notifications.offlineMinutes,
        });
        if (created.length > 0) await notifications.queueMail(created);
      } catch (err) {
        logger.warn({ cameraId: camera.id, err }, "could not notify members of the camera's status");
      }
    }
    return { status, latencyMs: result.latencyMs, ...(!verdict.ok && { blocked: verdict.reason }) };
  });
}

/** Fans out one probe job per enabled camera; probes still waiting absorb the new ones. */
export function cameraProbeSweepProcessor({ db, probeQueue }: { db: Database; probeQueue: Queue }) {
  return processorFor(JOBS.cameraProbeSweep, async () => {
    const ids = await db
      .select({ id: cameras.id })
      .from(cameras)
      .where(and(isNull(cameras.disabledAt)));
    for (const { id } of ids) await enqueueCameraProbe(probeQueue, id, { sweep: true });
    return { enqueued: ids.length };
  });
}
