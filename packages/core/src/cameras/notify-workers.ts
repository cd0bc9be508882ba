import type { JobProducer } from "@consentry/queue";

/** Starts a first probe so a new or changed camera shows its health within seconds. */
export async function probeSoon(jobs: Pick<JobProducer, "probeCamera">, cameraId: string) {
  // The repeatable sweep probes it anyway; a Redis outage must not undo a saved camera.
  await jobs.probeCamera(cameraId).catch(() => {});
}

/** Inference workers drop or pick up the camera within seconds (face recognition off, moved, disabled). */
export async function announceChange(jobs: Pick<JobProducer, "invalidate">, cameraId: string) {
  // Workers also re-read their cameras every few seconds; a Redis outage only delays this.
  await jobs.invalidate({ type: "camera", cameraId }).catch(() => {});
}
