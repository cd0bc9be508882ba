import { Queue, type QueueOptions, type WorkerOptions } from "bullmq";
import { z } from "zod";

/** Every queue the system uses; workers and producers import names from here only. */
export const QUEUE_NAMES = {
  /** Repeatable maintenance jobs: audit-chain verification, the camera probe sweep. */
  ops: "ops",
  /** One short job per camera health probe (ffprobe), many in parallel. */
  cameraProbe: "camera-probe",
  /** Deleting a person's face data: templates after a withdrawal now, full erasure with the portal. */
  dsrErasure: "dsr-erasure",
} as const;

export const opsJobSchemas = {
  "audit-chain-verify": z.object({}).strict(),
  "camera-probe-sweep": z.object({}).strict(),
  "compliance-snapshot": z.object({}).strict(),
} as const;
export type OpsJobName = keyof typeof opsJobSchemas;

export const cameraProbeJobSchema = z.object({ cameraId: z.uuid() }).strict();
export type CameraProbeJob = z.infer<typeof cameraProbeJobSchema>;

export const templateDeletionJobSchema = z
  .object({
    /** Deterministic, so the same withdrawal can never queue two deletions. */
    jobId: z.string().min(1).max(100),
    subjectId: z.uuid(),
    templateIds: z.array(z.uuid()),
    reason: z.enum(["consent_withdrawn"]),
  })
  .strict();
export type TemplateDeletionJob = z.infer<typeof templateDeletionJobSchema>;

/** Connection options from a redis:// URL (BullMQ creates and owns the ioredis clients). */
export function redisConnection(redisUrl: string) {
  const url = new URL(redisUrl);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === "rediss:" ? {} : undefined,
  };
}

/** Producer side (web app): fail fast instead of queueing commands while Redis is away. */
export function producerOptions(redisUrl: string, prefix?: string): QueueOptions {
  return {
    connection: { ...redisConnection(redisUrl), enableOfflineQueue: false },
    prefix,
    defaultJobOptions: {
      attempts: 3,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: 1000,
      removeOnFail: 5000,
    },
  };
}

/** Worker side: blocking commands must never time out (BullMQ requirement). */
export function workerOptions(redisUrl: string, prefix?: string): WorkerOptions {
  return { connection: { ...redisConnection(redisUrl), maxRetriesPerRequest: null }, prefix };
}

/** How many worker processes are attached to each queue (for /api/health and the Workers page). */
export async function countWorkers(redisUrl: string, prefix?: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, producerOptions(redisUrl, prefix));
    try {
      counts[name] = await queue.getWorkersCount();
    } finally {
      await queue.close();
    }
  }
  return counts;
}

/** Enqueues a health probe for one camera; a probe already waiting for it absorbs the new one. */
export function enqueueCameraProbe(queue: Queue, cameraId: string) {
  const data: CameraProbeJob = { cameraId };
  return queue.add("probe", data, {
    deduplication: { id: cameraId },
    attempts: 1,
    removeOnComplete: true,
    removeOnFail: 100,
  });
}

/** The jobs the API may start, behind one small interface (tests pass a queue with its own prefix). */
export type JobProducer = {
  probeCamera(cameraId: string): Promise<void>;
  /** Queues deletion of face templates; resolves with the job id (recorded in the audit log). */
  deleteTemplates(job: TemplateDeletionJob): Promise<string>;
  close(): Promise<void>;
};

export function createJobProducer(redisUrl: string, prefix?: string): JobProducer {
  const probes = new Queue(QUEUE_NAMES.cameraProbe, producerOptions(redisUrl, prefix));
  const erasure = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redisUrl, prefix));
  for (const queue of [probes, erasure]) queue.on("error", () => {}); // /api/health reports it; callers see the failed add
  return {
    probeCamera: async (cameraId) => {
      await enqueueCameraProbe(probes, cameraId);
    },
    deleteTemplates: async (job) => {
      const data = templateDeletionJobSchema.parse(job);
      const added = await erasure.add("template-deletion", data, { jobId: data.jobId, attempts: 5 });
      return added.id as string;
    },
    close: async () => {
      await Promise.all([probes.close(), erasure.close()]);
    },
  };
}
