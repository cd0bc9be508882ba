import { and, type Database, desc, eq, schema } from "@consentry/db";
import type { LeaseReader } from "@consentry/queue";
import { notFound } from "../errors";
import { inferenceStates } from "./inference-states";
import { cameraListColumns } from "./list-columns";

const { cameras, sites, entryPoints, cameraStatusEvents } = schema;

/** The camera page: its placement, last probe, recent status history and what the workers do with it. */
export async function getCamera(
  deps: { db: Database; orgId: string; leases: LeaseReader },
  input: { cameraId: string },
) {
  const { db } = deps;
  const [camera] = await db
    .select({
      ...cameraListColumns,
      siteCode: sites.code,
      entryPointName: entryPoints.name,
      lastProbedAt: cameras.lastProbedAt,
      probeCodec: cameras.probeCodec,
      probeWidth: cameras.probeWidth,
      probeHeight: cameras.probeHeight,
      probeFps: cameras.probeFps,
      probeLatencyMs: cameras.probeLatencyMs,
      createdAt: cameras.createdAt,
    })
    .from(cameras)
    .innerJoin(sites, eq(sites.id, cameras.siteId))
    .leftJoin(entryPoints, eq(entryPoints.id, cameras.entryPointId))
    .where(and(eq(cameras.id, input.cameraId), eq(cameras.orgId, deps.orgId)));
  if (!camera) return notFound("Camera");
  const [history, inference] = await Promise.all([
    db
      .select({
        at: cameraStatusEvents.at,
        status: cameraStatusEvents.status,
        detail: cameraStatusEvents.detail,
        probeLatencyMs: cameraStatusEvents.probeLatencyMs,
      })
      .from(cameraStatusEvents)
      .where(eq(cameraStatusEvents.cameraId, camera.id))
      .orderBy(desc(cameraStatusEvents.at), desc(cameraStatusEvents.id))
      .limit(50),
    inferenceStates(deps.leases, [camera]),
  ]);
  return {
    ...camera,
    history,
    inference: inference.stateOf(camera.id),
    waitingForWorker: inference.waitingForWorker,
  };
}
