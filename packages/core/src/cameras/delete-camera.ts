import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import { findCamera } from "./find-camera";
import { announceChange } from "./notify-workers";

const { cameras } = schema;

/** Deletes a camera; the audit entry keeps its name, site and masked URL. */
export async function deleteCamera(
  deps: { db: Database; actor: AuditActor; orgId: string; jobs: Pick<JobProducer, "invalidate"> },
  input: { cameraId: string },
) {
  const deleted = await deps.db.transaction(async (tx) => {
    const camera = await findCamera(tx, deps.orgId, input.cameraId);
    await tx.delete(cameras).where(eq(cameras.id, camera.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "camera.delete",
      targetType: "camera",
      targetId: camera.id,
      details: { name: camera.name, siteId: camera.siteId, rtspUrl: camera.rtspUrlMasked },
    });
    return { id: camera.id };
  });
  await announceChange(deps.jobs, deleted.id);
  return deleted;
}
