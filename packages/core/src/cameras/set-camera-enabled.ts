import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import { findCamera } from "./find-camera";
import { announceChange, probeSoon } from "./notify-workers";

const { cameras } = schema;

/** Disables a camera (no probes, no analysis, no live view) or enables it again. */
export async function setCameraEnabled(
  deps: { db: Database; actor: AuditActor; orgId: string; jobs: Pick<JobProducer, "probeCamera" | "invalidate"> },
  input: { cameraId: string; enabled: boolean },
) {
  await deps.db.transaction(async (tx) => {
    await findCamera(tx, deps.orgId, input.cameraId);
    await tx
      .update(cameras)
      .set({ disabledAt: input.enabled ? null : new Date(), updatedAt: new Date() })
      .where(eq(cameras.id, input.cameraId));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: input.enabled ? "camera.enable" : "camera.disable",
      targetType: "camera",
      targetId: input.cameraId,
    });
  });
  if (input.enabled) await probeSoon(deps.jobs, input.cameraId);
  await announceChange(deps.jobs, input.cameraId);
  return { id: input.cameraId, enabled: input.enabled };
}
