import type { Redis } from "ioredis";
import { z } from "zod";

/** What each inference worker publishes every few seconds: the Workers page and /api/metrics read it. */
export const workerHeartbeatSchema = z.object({
  id: z.string(),
  host: z.string(),
  pid: z.number(),
  startedAt: z.string(),
  at: z.string(),
  modelId: z.string(),
  maxCameras: z.number(),
  memoryMb: z.number(),
  enrolmentsDone: z.number(),
  /** The event writer's counters (workers/inference/src/stream/events.ts); absent from older workers. */
  events: z
    .object({
      writtenBatches: z.number(),
      pendingBatches: z.number(),
      pendingEvents: z.number(),
      failedWrites: z.number(),
      droppedBatches: z.number(),
      droppedEvents: z.number(),
      unownedEvents: z.number(),
      /** Events not written because their template was deleted or their person erased meanwhile. */
      goneEvents: z.number().optional(),
    })
    .optional(),
  cameras: z.array(
    z.object({
      cameraId: z.string(),
      fps: z.number(),
      framesAnalysed: z.number(),
      framesDropped: z.number(),
      /** Share of the last 10 s's frames dropped; absent from workers older than it. */
      droppedShare: z.number().nullable().optional(),
      /** Frames like the last one detected on (detection skipped); absent from workers older than it. */
      framesUnchanged: z.number().optional(),
      facesDetected: z.number(),
      recognitions: z.number(),
      unknownFaces: z.number(),
      latencyP50Ms: z.number().nullable(),
      latencyP95Ms: z.number().nullable(),
      since: z.string(),
    }),
  ),
});
export type WorkerHeartbeat = z.infer<typeof workerHeartbeatSchema>;

/** A camera dropping more than this share of its frames cannot be analysed as fast as they arrive. */
export const FALLS_BEHIND_SHARE = 0.01;
export const fallsBehind = (camera: { droppedShare?: number | null }) =>
  (camera.droppedShare ?? 0) > FALLS_BEHIND_SHARE;

/** A worker silent for longer than this is gone (its key expires too). */
export const HEARTBEAT_TTL_SECONDS = 15;
const registryKey = (prefix = "bull") => `${prefix}:inference-workers`;
const heartbeatKey = (prefix: string | undefined, id: string) => `${registryKey(prefix)}:${id}`;

export async function publishHeartbeat(redis: Redis, prefix: string | undefined, heartbeat: WorkerHeartbeat) {
  await redis
    .multi()
    .set(heartbeatKey(prefix, heartbeat.id), JSON.stringify(heartbeat), "EX", HEARTBEAT_TTL_SECONDS)
    .zadd(registryKey(prefix), Date.now(), heartbeat.id)
    .exec();
}

export async function removeHeartbeat(redis: Redis, prefix: string | undefined, id: string) {
  await redis.multi().del(heartbeatKey(prefix, id)).zrem(registryKey(prefix), id).exec();
}

/** The live inference workers, by their latest heartbeat. */
export async function readHeartbeats(redis: Redis, prefix?: string): Promise<WorkerHeartbeat[]> {
  const cutoff = Date.now() - HEARTBEAT_TTL_SECONDS * 1000;
  await redis.zremrangebyscore(registryKey(prefix), 0, cutoff);
  const ids = await redis.zrange(registryKey(prefix), 0, -1);
  if (ids.length === 0) return [];
  const values = await redis.mget(ids.map((id) => heartbeatKey(prefix, id)));
  return values.flatMap((value) => {
    const parsed = value ? workerHeartbeatSchema.safeParse(JSON.parse(value)) : null;
    return parsed?.success ? [parsed.data] : [];
  });
}
