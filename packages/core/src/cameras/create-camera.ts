import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import { touchMaterialChange } from "../lookups";
import type { CameraFields } from "../validators";
import { announceChange, probeSoon } from "./notify-workers";
import { placementError, placementProblem, requireAllowedRtspUrl, rethrowUrlTaken, sealRtspUrl } from "./registry";

const { cameras } = schema;

/** Adds a camera where the rules allow it; its RTSP URL is stored encrypted, shown masked. */
export async function createCamera(
  deps: { db: Database; actor: AuditActor; orgId: string; jobs: Pick<JobProducer, "probeCamera" | "invalidate"> },
  input: CameraFields,
) {
  const { rtspUrl, ...fields } = input;
  // Before the transaction: it may wait on DNS.
  await requireAllowedRtspUrl(deps.db, deps.orgId, rtspUrl);
  const created = await deps.db
    .transaction(async (tx) => {
      const problem = await placementProblem(tx, deps.orgId, fields);
      if (problem) throw placementError(problem);
      const sealed = sealRtspUrl(rtspUrl);
      const [camera] = await tx
        .insert(cameras)
        .values({ ...fields, ...sealed, orgId: deps.orgId })
        .returning({ id: cameras.id, name: cameras.name });
      if (!camera) throw new Error("insert returned no row");
      // Face recognition at the site changed materially: its impact assessment may be stale now.
      if (fields.frEnabled) await touchMaterialChange(tx, fields.siteId);
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: deps.orgId,
        action: "camera.create",
        targetType: "camera",
        targetId: camera.id,
        details: { ...fields, rtspUrl: sealed.rtspUrlMasked },
      });
      return camera;
    })
    .catch(rethrowUrlTaken);
  await probeSoon(deps.jobs, created.id);
  // The workers create its lease at once instead of at their next reconcile.
  if (fields.frEnabled) await announceChange(deps.jobs, created.id);
  return created;
}
