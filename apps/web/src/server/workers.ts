import "server-only";
import { requestReferences, stuckOutboxRows } from "@consentry/core/dsr";
import { asc, eq, inArray, schema } from "@consentry/db";
import { env } from "@consentry/env";
import { fallsBehind, queueDepths, readHeartbeats, stuckErasureJobs } from "@consentry/queue";
import { db, leases, redis } from "./services";

/** Waiting cameras listed by name on the Workers page; the rest are only counted. */
export const WAITING_CAMERAS_SHOWN = 50;

/**
 * Cameras with face recognition on against inference capacity: how many are analysed, waiting
 * for a free slot or retrying a failing stream, the slots the live workers offer, and the first
 * waiting cameras by name. Null when the lease states are unknown.
 */
async function capacityOverview(slots: number) {
  const leased = await leases.read();
  if (!leased) return null;
  const waitingIds = [...leased.states].filter(([, state]) => state === "waiting").map(([id]) => id);
  const waitingCameras = waitingIds.length
    ? await db
        .select({
          id: schema.cameras.id,
          name: schema.cameras.name,
          siteName: schema.sites.name,
          orgName: schema.organizations.name,
        })
        .from(schema.cameras)
        .innerJoin(schema.sites, eq(schema.sites.id, schema.cameras.siteId))
        .innerJoin(schema.organizations, eq(schema.organizations.id, schema.cameras.orgId))
        .where(inArray(schema.cameras.id, waitingIds))
        .orderBy(asc(schema.organizations.name), asc(schema.cameras.name), asc(schema.cameras.id))
        .limit(WAITING_CAMERAS_SHOWN)
    : [];
  return {
    ...leased.counts,
    slots,
    waitingCameras,
    moreWaiting: Math.max(0, leased.counts.waiting - waitingCameras.length),
  };
}

/**
 * Jobs that must happen but have not: outbox rows pending for over a minute (Redis away or no
 * ops worker relaying) and erasures or template deletions retrying or failed, with the deletion
 * request's reference. The outbox part still answers when Redis does not.
 */
export async function stuckJobsOverview() {
  const [outbox, erasures] = await Promise.all([
    stuckOutboxRows(db),
    stuckErasureJobs(env.REDIS_URL, env.QUEUE_PREFIX).catch(() => null),
  ]);
  const references = await requestReferences(
    db,
    (erasures ?? []).flatMap((job) => (job.requestId ? [job.requestId] : [])),
  );
  return {
    outbox,
    erasures: erasures?.map((job) => ({
      ...job,
      referenceCode: job.requestId ? (references.get(job.requestId) ?? null) : null,
    })),
  };
}

/** Live inference workers with the cameras they analyse, every queue's depth, and inference capacity. */
export async function workersOverview() {
  if (redis.status === "wait" || redis.status === "end") await redis.connect().catch(() => {});
  const [workers, queues] = await Promise.all([
    readHeartbeats(redis, env.QUEUE_PREFIX),
    queueDepths(env.REDIS_URL, env.QUEUE_PREFIX),
  ]);
  const cameraIds = workers.flatMap((worker) => worker.cameras.map((camera) => camera.cameraId));
  const [cameras, capacity] = await Promise.all([
    cameraIds.length
      ? db
          .select({ id: schema.cameras.id, name: schema.cameras.name })
          .from(schema.cameras)
          .where(inArray(schema.cameras.id, cameraIds))
      : [],
    capacityOverview(workers.reduce((sum, worker) => sum + worker.maxCameras, 0)),
  ]);
  const names = new Map(cameras.map((camera) => [camera.id, camera.name]));
  return {
    queues,
    capacity,
    workers: workers.map((worker) => ({
      ...worker,
      cameras: worker.cameras.map((camera) => ({
        ...camera,
        name: names.get(camera.cameraId) ?? camera.cameraId,
        fallsBehind: fallsBehind(camera),
      })),
    })),
  };
}
