import "server-only";
import { inArray, schema } from "@consentry/db";
import { env } from "@consentry/env";
import { queueDepths, readHeartbeats } from "@consentry/queue";
import { db, redis } from "./services";

/** Live inference workers with the cameras they analyse, and every queue's depth. */
export async function workersOverview() {
  if (redis.status === "wait" || redis.status === "end") await redis.connect().catch(() => {});
  const [workers, queues] = await Promise.all([
    readHeartbeats(redis, env.QUEUE_PREFIX),
    queueDepths(env.REDIS_URL, env.QUEUE_PREFIX),
  ]);
  const cameraIds = workers.flatMap((worker) => worker.cameras.map((camera) => camera.cameraId));
  const cameras = cameraIds.length
    ? await db
        .select({ id: schema.cameras.id, name: schema.cameras.name })
        .from(schema.cameras)
        .where(inArray(schema.cameras.id, cameraIds))
    : [];
  const names = new Map(cameras.map((camera) => [camera.id, camera.name]));
  return {
    queues,
    workers: workers.map((worker) => ({
      ...worker,
      cameras: worker.cameras.map((camera) => ({ ...camera, name: names.get(camera.cameraId) ?? camera.cameraId })),
    })),
  };
}
