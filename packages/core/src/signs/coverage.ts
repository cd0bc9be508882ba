import { and, type Executor, eq, inArray, schema } from "@consentry/db";
import { fieldError } from "../errors";

const { signCameras, signEntryPoints, cameras, entryPoints } = schema;

/** Every covered camera and entry point must be at the sign's own site. */
export async function checkCoverage(db: Executor, siteId: string, cameraIds: string[], entryPointIds: string[]) {
  if (cameraIds.length > 0) {
    const found = await db
      .select({ id: cameras.id })
      .from(cameras)
      .where(and(eq(cameras.siteId, siteId), inArray(cameras.id, cameraIds)));
    if (found.length !== new Set(cameraIds).size) {
      throw fieldError("invalid", "cameraIds", "notAtSite", "A covered camera is not at this site.");
    }
  }
  if (entryPointIds.length > 0) {
    const found = await db
      .select({ id: entryPoints.id })
      .from(entryPoints)
      .where(and(eq(entryPoints.siteId, siteId), inArray(entryPoints.id, entryPointIds)));
    if (found.length !== new Set(entryPointIds).size) {
      throw fieldError("invalid", "entryPointIds", "notAtSite", "A covered entry point is not at this site.");
    }
  }
}

/** Replaces what the sign covers. */
export async function setCoverage(db: Executor, id: string, cameraIds: string[], entryPointIds: string[]) {
  await db.delete(signCameras).where(eq(signCameras.signId, id));
  await db.delete(signEntryPoints).where(eq(signEntryPoints.signId, id));
  const uniqueCameras = [...new Set(cameraIds)];
  const uniqueEntries = [...new Set(entryPointIds)];
  if (uniqueCameras.length)
    await db.insert(signCameras).values(uniqueCameras.map((cameraId) => ({ signId: id, cameraId })));
  if (uniqueEntries.length) {
    await db.insert(signEntryPoints).values(uniqueEntries.map((entryPointId) => ({ signId: id, entryPointId })));
  }
}
