import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import type { JobProducer } from "@consentry/queue";
import type { z } from "zod";
import { touchMaterialChange } from "../lookups";
import type { cameraUpdateFields } from "../validators";
import { findCamera } from "./find-camera";
import { announceChange, probeSoon } from "./notify-workers";
import { placementError, placementProblem, requireAllowedRtspUrl, rethrowUrlTaken, sealRtspUrl } from "./registry";

const { cameras } = schema;

export type CameraUpdate = z.infer<typeof cameraUpdateFields> & { cameraId: string };

/** Edits a camera, including moving it to another site or entry point; no URL keeps the stored one. */
export async function updateCamera(
  deps: { db: Database; actor: AuditActor; orgId: string; jobs: Pick<JobProducer, "probeCamera" | "invalidate"> },
  input: CameraUpdate,
) {
  const { cameraId: id, rtspUrl, ...fields } = input;
  if (rtspUrl) await requireAllowedRtspUrl(deps.db, deps.orgId, rtspUrl);
  await deps.db
    .transaction(async (tx) => {
      const before = await findCamera(tx, deps.orgId, id);
      const problem = await placementProblem(tx, deps.orgId, fields);
      if (problem) throw placementError(problem);
      const sealed = rtspUrl ? sealRtspUrl(rtspUrl) : {};
      await tx
        .update(cameras)
        .set({ ...fields, ...sealed, updatedAt: new Date() })
        .where(eq(cameras.id, id));
      const changed: Record<string, unknown> = Object.fromEntries(
        Object.entries(fields).filter(([key, value]) => before[key as keyof typeof before] !== value),
      );
      if ("rtspUrlMasked" in sealed) changed.rtspUrl = sealed.rtspUrlMasked;
      const moved = fields.siteId !== before.siteId || fields.entryPointId !== before.entryPointId;
      // Recognition starting at a site, or arriving there, changes its processing materially.
      if (fields.frEnabled && (!before.frEnabled || moved)) await touchMaterialChange(tx, fields.siteId);
      await writeAudit(tx, {
        actor: deps.actor,
        orgId: deps.orgId,
        action: moved ? "camera.move" : "camera.update",
        targetType: "camera",
        targetId: id,
        details: { changed },
      });
    })
    .catch(rethrowUrlTaken);
  if (rtspUrl) await probeSoon(deps.jobs, id);
  await announceChange(deps.jobs, id);
  return { id };
}
