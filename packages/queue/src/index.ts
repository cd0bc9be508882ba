import { type JobsOptions, Queue, QueueKeys, type QueueOptions, type WorkerOptions } from "bullmq";
import { Redis } from "ioredis";
import { z } from "zod";
import { erasureBackoff, JOBS, QUEUE_NAMES, streamLeaseJobId, type TemplateDeletionJob } from "./jobs";
import { NOTIFICATION_JOBS, type NotifyJob } from "./notifications";

export * from "./cached";
export * from "./define";
export * from "./heartbeat";
export * from "./jobs";
export * from "./notifications";

/**
 * Changes the inference workers must act on within seconds, sent over Redis pub/sub:
 * a site's gallery changed (enrolment, withdrawal, erasure) or a camera's settings changed.
 */
export const invalidationSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("gallery"), siteId: z.uuid() }),
  z.object({ type: z.literal("camera"), cameraId: z.uuid() }),
]);
export type Invalidation = z.infer<typeof invalidationSchema>;
export const invalidationChannel = (prefix = "bull") => `${prefix}:invalidations`;

/**
 * A user's membership or role in an organisation changed or ended: the live-view gateway
 * re-checks that user's open viewers at once. Inference workers ignore it (their schema above
 * does not parse it). Nothing publishes it yet; member management will.
 */
export const memberInvalidationSchema = z.object({
  type: z.literal("member"),
  orgId: z.uuid(),
  userId: z.string().min(1).max(200),
});
export type MemberInvalidation = z.infer<typeof memberInvalidationSchema>;

/** Everything the live-view gateway acts on from the invalidation channel. */
export const liveViewInvalidationSchema = z.discriminatedUnion("type", [
  ...invalidationSchema.options,
  memberInvalidationSchema,
]);
export type LiveViewInvalidation = z.infer<typeof liveViewInvalidationSchema>;

/** Tells every inference worker and gateway about a change, over the installation's invalidation channel. */
export async function publishInvalidation(
  redis: Redis,
  prefix: string | undefined,
  change: Invalidation | MemberInvalidation,
) {
  await redis.publish(invalidationChannel(prefix), JSON.stringify(liveViewInvalidationSchema.parse(change)));
}

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

/** A crash mid-erasure leaves the job stalled; the steps resume, so it may stall this often before failing. */
export const ERASURE_MAX_STALLED_COUNT = 100;

/** The dsr-erasure worker: erasures survive worker crashes and back off up to an hour between attempts. */
export function erasureWorkerOptions(redisUrl: string, prefix?: string): WorkerOptions {
  return {
    ...workerOptions(redisUrl, prefix),
    maxStalledCount: ERASURE_MAX_STALLED_COUNT,
    settings: {
      backoffStrategy: (attemptsMade: number, _type?: string, _error?: Error, job?: { opts: JobsOptions }) => {
        const { backoff } = job?.opts ?? {};
        return erasureBackoff(attemptsMade, typeof backoff === "object" ? backoff.delay : undefined);
      },
    },
  };
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

export type QueueDepth = {
  queue: string;
  workers: number;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
};

/** Jobs by state and attached workers for every queue (Workers page, /api/metrics). */
export async function queueDepths(redisUrl: string, prefix?: string): Promise<QueueDepth[]> {
  return Promise.all(
    Object.values(QUEUE_NAMES).map(async (name) => {
      const queue = new Queue(name, producerOptions(redisUrl, prefix));
      try {
        const [workers, counts] = await Promise.all([
          queue.getWorkersCount(),
          queue.getJobCounts("waiting", "active", "delayed", "failed", "prioritized"),
        ]);
        return {
          queue: name,
          workers,
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
        };
      } finally {
        await queue.close();
      }
    }),
  );
}

/** An erasure or template deletion that has failed at least once: retrying (delayed) or given up (failed). */
export type StuckErasureJob = {
  jobId: string;
  name: string;
  /** The deletion request of an erasure; null for template deletions. */
  requestId: string | null;
  state: "retrying" | "failed";
  attemptsMade: number;
  attempts: number;
  failedReason: string | null;
  /** When it will run again (retrying) or failed for good (failed), epoch ms. */
  at: number | null;
};

/** Erasure-queue jobs that are retrying after a failure or have failed for good (Workers page). */
export async function stuckErasureJobs(redisUrl: string, prefix?: string, limit = 50): Promise<StuckErasureJob[]> {
  const queue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redisUrl, prefix));
  try {
    const [delayed, failed] = await Promise.all([queue.getDelayed(0, limit - 1), queue.getFailed(0, limit - 1)]);
    const describe = (job: (typeof delayed)[number], state: StuckErasureJob["state"]): StuckErasureJob => ({
      jobId: String(job.id),
      name: job.name,
      requestId: job.name === JOBS.erasure.name ? (job.data?.requestId ?? null) : null,
      state,
      attemptsMade: job.attemptsMade,
      attempts: job.opts.attempts ?? 1,
      failedReason: job.failedReason ?? null,
      at: state === "retrying" ? job.timestamp + (job.delay ?? 0) : (job.finishedOn ?? null),
    });
    return [
      // A delayed job that never failed is only scheduled late, not stuck.
      ...delayed.filter((job) => job.attemptsMade > 0).map((job) => describe(job, "retrying")),
      ...failed.map((job) => describe(job, "failed")),
    ];
  } finally {
    await queue.close();
  }
}

/**
 * What the inference workers are doing with a camera that has face recognition on:
 * - `analysed`: a worker holds its lease and analyses the stream (lease job active);
 * - `waiting`: no worker has a free slot (lease job waiting), or its lease job is not created yet;
 * - `retrying`: its stream keeps failing and the lease is retried after a backoff (lease job delayed).
 */
export type LeaseState = "analysed" | "waiting" | "retrying";

export type LeaseStates = {
  /** Every camera asked about, by what its lease is doing. */
  states: Map<string, LeaseState>;
  /** How many of those cameras are in each state; `waiting` is the number waiting for a worker. */
  counts: Record<LeaseState, number>;
};

const LEASE_JOB_PREFIX = streamLeaseJobId("");

/** Each lease job's state by camera id: one atomic round trip over the queue's job-id lists, O(lease jobs). */
async function leaseJobStates(redis: Redis, prefix: string | undefined): Promise<Map<string, LeaseState>> {
  const keys = new QueueKeys(prefix).getKeys(QUEUE_NAMES.streamAnalysis);
  const lists: [key: string | undefined, kind: "list" | "zset", state: LeaseState][] = [
    [keys.active, "list", "analysed"],
    [keys.delayed, "zset", "retrying"],
    [keys.wait, "list", "waiting"],
    [keys.paused, "list", "waiting"],
    [keys.prioritized, "zset", "waiting"],
  ];
  const transaction = redis.multi();
  for (const [key, kind] of lists) {
    if (!key) throw new Error("unexpected BullMQ key layout");
    if (kind === "list") transaction.lrange(key, 0, -1);
    else transaction.zrange(key, 0, -1);
  }
  const replies = await transaction.exec();
  if (!replies) throw new Error("the lease-state transaction was aborted");
  const states = new Map<string, LeaseState>();
  replies.forEach(([error, jobIds], index) => {
    if (error) throw error;
    const state = lists[index]?.[2] ?? "waiting";
    for (const jobId of jobIds as string[]) {
      if (jobId.startsWith(LEASE_JOB_PREFIX)) states.set(jobId.slice(LEASE_JOB_PREFIX.length), state);
    }
  });
  return states;
}

function leaseStatesOf(jobStates: Map<string, LeaseState>, cameraIds: Iterable<string>): LeaseStates {
  const states = new Map<string, LeaseState>();
  const counts: Record<LeaseState, number> = { analysed: 0, waiting: 0, retrying: 0 };
  for (const cameraId of cameraIds) {
    const state = jobStates.get(cameraId) ?? "waiting";
    states.set(cameraId, state);
    counts[state]++;
  }
  return { states, counts };
}

/**
 * The lease state of each of these cameras, which must be the cameras that should be analysed
 * now (face recognition on, camera enabled, site open): a camera without a lease job counts as
 * waiting, since the workers create it at their next reconcile. One atomic round trip reading
 * the job ids of the lease queue's active, delayed and waiting lists: O(lease jobs), whatever
 * the number of cameras asked about.
 */
export async function readLeaseStates(
  redis: Redis,
  prefix: string | undefined,
  cameraIds: Iterable<string>,
): Promise<LeaseStates> {
  return leaseStatesOf(await leaseJobStates(redis, prefix), cameraIds);
}

export type CameraLeases = {
  /** The cameras asked about that should be analysed now, by lease state; others are left out. */
  states: Map<string, LeaseState>;
  /** Installation-wide, over every camera that should be analysed: `waiting` is how many wait for a worker. */
  counts: Record<LeaseState, number>;
};

/** Lease states for pages and /api/health (the tRPC context carries one). */
export type LeaseReader = {
  /**
   * The states of these cameras (all when omitted) with installation-wide counts; null when Redis
   * or the database does not answer in time, so callers show "unknown" instead of failing.
   */
  read(cameraIds?: readonly string[]): Promise<CameraLeases | null>;
};

const connecting = new WeakMap<Redis, Promise<void>>();

/**
 * Connects a lazily connecting client (the web app's, which fails fast instead of queueing
 * commands) on first use, or waits for the connection under way; concurrent callers share one wait.
 */
function untilConnected(redis: Redis): Promise<void> {
  if (redis.status === "ready") return Promise.resolve();
  if (redis.status === "wait" || redis.status === "end") return redis.connect().catch(() => {});
  let pending = connecting.get(redis);
  if (!pending) {
    pending = new Promise<void>((resolve) => {
      const settle = () => {
        redis.off("ready", settle).off("error", settle).off("end", settle);
        connecting.delete(redis);
        resolve();
      };
      redis.once("ready", settle).once("error", settle).once("end", settle);
    });
    connecting.set(redis, pending);
  }
  return pending;
}

/**
 * Reads lease states through an existing Redis client. `camerasToAnalyse` lists every camera
 * that should be analysed now (the same rule as the workers' reconcile), so a camera whose lease
 * job does not exist yet still counts as waiting. Lease states of other cameras are read only to
 * count them: `read(ids)` returns the states of `ids` and nothing else.
 */
export function createLeaseReader(options: {
  redis: Redis;
  prefix?: string;
  camerasToAnalyse: () => Promise<string[]>;
  timeoutMs?: number;
}): LeaseReader {
  const { redis, prefix, camerasToAnalyse, timeoutMs = 2000 } = options;
  return {
    async read(cameraIds) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), timeoutMs);
      });
      const answer = async (): Promise<CameraLeases> => {
        await untilConnected(redis);
        const [toAnalyse, jobStates] = await Promise.all([camerasToAnalyse(), leaseJobStates(redis, prefix)]);
        const all = leaseStatesOf(jobStates, toAnalyse);
        if (!cameraIds) return all;
        const states = new Map<string, LeaseState>();
        for (const id of cameraIds) {
          const state = all.states.get(id);
          if (state) states.set(id, state);
        }
        return { states, counts: all.counts };
      };
      try {
        return await Promise.race([answer().catch(() => null), timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The sweep's probes wait behind a probe someone asked for (a camera just added or edited): a sweep
 * of many unreachable cameras, each taking its timeout, must not hold up the one a manager watches.
 */
export const SWEEP_PROBE_PRIORITY = 10;

/** Enqueues a health probe for one camera; a probe already waiting for it absorbs the new one. */
export function enqueueCameraProbe(queue: Queue, cameraId: string, options: { sweep?: boolean } = {}) {
  return JOBS.cameraProbe.add(queue, { cameraId }, options.sweep ? { priority: SWEEP_PROBE_PRIORITY } : undefined);
}

/** The jobs the API may start, behind one small interface (tests pass a queue with its own prefix). */
export type JobProducer = {
  probeCamera(cameraId: string): Promise<void>;
  /** Queues deletion of face templates; resolves with the job id (recorded in the audit log). */
  deleteTemplates(job: TemplateDeletionJob): Promise<string>;
  /** Queues the erasure for an approved deletion request (one job per request). */
  erase(requestId: string): Promise<void>;
  /** Queues the computation of templates from an enrolment's photos. */
  enrol(enrolmentId: string): Promise<void>;
  /** Tells every inference worker to drop what it cached about a site's gallery or a camera. */
  invalidate(change: Invalidation | MemberInvalidation): Promise<void>;
  /**
   * Queues a mail of the notifications queue (alerts, issue #17.2). Optional: producers that
   * leave it out (test doubles) send no mail, which callers treat as best effort anyway.
   */
  notify?(job: NotifyJob): Promise<void>;
  close(): Promise<void>;
};

/** How long an add may wait for Redis before the producer gives up (the caller's outbox row stays pending). */
export const ENQUEUE_TIMEOUT_MS = 2_000;

/**
 * Rejects after `ms`: while Redis is unreachable BullMQ waits for the connection indefinitely
 * (offline queue or not), so a producer must not wait with it. An add that completes later is
 * harmless: job ids are deterministic.
 */
function inTime<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: Redis did not answer within ${ms} ms`)), ms);
  });
  work.catch(() => {}); // a late failure after the timeout is not an unhandled rejection
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createJobProducer(
  redisUrl: string,
  prefix?: string,
  { timeoutMs = ENQUEUE_TIMEOUT_MS }: { timeoutMs?: number } = {},
): JobProducer {
  const probes = new Queue(QUEUE_NAMES.cameraProbe, producerOptions(redisUrl, prefix));
  const erasure = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redisUrl, prefix));
  const enrolment = new Queue(QUEUE_NAMES.enrolment, producerOptions(redisUrl, prefix));
  const notifications = new Queue(QUEUE_NAMES.notifications, producerOptions(redisUrl, prefix));
  let publisher: Redis | undefined;
  // /api/health reports an outage; callers see the failed add.
  for (const queue of [probes, erasure, enrolment, notifications]) queue.on("error", () => {});
  return {
    probeCamera: async (cameraId) => {
      await inTime(enqueueCameraProbe(probes, cameraId), timeoutMs, "camera probe");
    },
    deleteTemplates: async (job) => {
      const added = await inTime(JOBS.templateDeletion.add(erasure, job), timeoutMs, "template deletion");
      return added.id as string;
    },
    erase: async (requestId) => {
      await inTime(JOBS.erasure.add(erasure, { requestId }), timeoutMs, "erasure");
    },
    enrol: async (enrolmentId) => {
      await inTime(JOBS.enrolment.add(enrolment, { enrolmentId }), timeoutMs, "enrolment");
    },
    invalidate: async (change) => {
      publisher ??= new Redis({ ...redisConnection(redisUrl), maxRetriesPerRequest: 1, connectTimeout: 2000 });
      publisher.on("error", () => {}); // the failed publish reaches the caller
      await publishInvalidation(publisher, prefix, change);
    },
    notify: async (job) => {
      const added =
        job.type === "staffMail"
          ? NOTIFICATION_JOBS.staffMail.add(notifications, { orgId: job.orgId, userId: job.userId })
          : NOTIFICATION_JOBS.subjectMail.add(notifications, { requestId: job.requestId, mail: job.mail });
      await inTime(added, timeoutMs, "notification mail");
    },
    close: async () => {
      await Promise.all([probes.close(), erasure.close(), enrolment.close(), notifications.close(), publisher?.quit()]);
    },
  };
}

/** A finished (or waiting) job of the erasure or enrolment queue that still names a person. */
export type PersonJob = { queue: string; jobId: string; state: string };

/**
 * Jobs left in Redis about a person after an erasure: jobs of the dsr-erasure and enrolment
 * queues whose id, payload, result or error names the subject or a needle (template deletions
 * carry the subject's id), and enrolment jobs whose enrolment row is gone (`missingEnrolments`
 * says which of the ids no longer exist). Running jobs are left out: they cannot be removed
 * yet. O(jobs kept in those two queues).
 */
export async function findPersonJobs(
  redis: Redis,
  prefix: string | undefined,
  person: { subjectId: string; needles?: readonly string[]; missingEnrolments: (ids: string[]) => Promise<string[]> },
): Promise<PersonJob[]> {
  const needles = [person.subjectId, ...(person.needles ?? [])].filter((needle) => needle.length > 0);
  const found: PersonJob[] = [];
  const enrolmentJobs = new Map<string, { jobId: string; state: string }>();
  for (const queueName of [QUEUE_NAMES.dsrErasure, QUEUE_NAMES.enrolment]) {
    const queueKeys = new QueueKeys(prefix);
    const keys = queueKeys.getKeys(queueName);
    for (const [state, jobIds] of await jobIdsByState(redis, keys)) {
      for (const jobId of jobIds) {
        const [name, data, returnvalue, failedReason, stacktrace] = await redis.hmget(
          queueKeys.toKey(queueName, jobId),
          "name",
          "data",
          "returnvalue",
          "failedReason",
          "stacktrace",
        );
        if (!name) continue;
        const text = [jobId, data, returnvalue, failedReason, stacktrace].join("\n");
        if (needles.some((needle) => text.includes(needle))) {
          found.push({ queue: queueName, jobId, state });
        } else if (queueName === QUEUE_NAMES.enrolment && data) {
          const enrolmentId = (JSON.parse(data) as { enrolmentId?: unknown }).enrolmentId;
          if (typeof enrolmentId === "string") enrolmentJobs.set(enrolmentId, { jobId, state });
        }
      }
    }
  }
  const missing = enrolmentJobs.size ? await person.missingEnrolments([...enrolmentJobs.keys()]) : [];
  for (const enrolmentId of missing) {
    const job = enrolmentJobs.get(enrolmentId);
    if (job) found.push({ queue: QUEUE_NAMES.enrolment, ...job });
  }
  return found;
}

/** The ids of a queue's jobs that are not running, by state (one round trip). */
async function jobIdsByState(redis: Redis, keys: Record<string, string>): Promise<[string, string[]][]> {
  const lists: [state: string, key: string | undefined, kind: "list" | "zset"][] = [
    ["completed", keys.completed, "zset"],
    ["failed", keys.failed, "zset"],
    ["delayed", keys.delayed, "zset"],
    ["waiting", keys.prioritized, "zset"],
    ["waiting", keys.wait, "list"],
    ["waiting", keys.paused, "list"],
  ];
  const transaction = redis.multi();
  for (const [, key, kind] of lists) {
    if (!key) throw new Error("unexpected BullMQ key layout");
    if (kind === "list") transaction.lrange(key, 0, -1);
    else transaction.zrange(key, 0, -1);
  }
  const replies = (await transaction.exec()) ?? [];
  return replies.map(([error, ids], index) => {
    if (error) throw error;
    return [lists[index]?.[0] ?? "waiting", ids as string[]];
  });
}

/**
 * Removes the entries of a queue's event stream (capped, about 10,000) that name one of these job
 * ids, and returns how many went. BullMQ writes a job's `completed` entry after its processor
 * returns, so a job naming a person has it removed on the worker's `completed` event.
 */
export async function removeJobEvents(
  redis: Redis,
  prefix: string | undefined,
  queueName: string,
  jobIds: ReadonlySet<string>,
): Promise<number> {
  const stream = new QueueKeys(prefix).toKey(queueName, "events");
  let removed = 0;
  let start = "-";
  for (;;) {
    const entries = (await redis.xrange(stream, start, "+", "COUNT", 1000)) as [string, string[]][];
    const named = entries.filter(([, fields]) => {
      const at = fields.indexOf("jobId");
      return at >= 0 && at % 2 === 0 && jobIds.has(fields[at + 1] as string);
    });
    if (named.length) removed += await redis.xdel(stream, ...named.map(([id]) => id));
    const last = entries.at(-1);
    if (!last || entries.length < 1000) return removed;
    start = `(${last[0]}`;
  }
}

/**
 * Removes those jobs (with their logs) and the event-stream entries naming them; a job that
 * started running meanwhile stays. Returns how many jobs went.
 */
export async function removePersonJobs(
  redis: Redis,
  prefix: string | undefined,
  jobs: readonly PersonJob[],
): Promise<number> {
  let removed = 0;
  for (const queueName of new Set(jobs.map((job) => job.queue))) {
    // A queue over the caller's client: closing it leaves the client open.
    const queue = new Queue(queueName, { connection: redis, prefix });
    try {
      const gone = new Set<string>();
      for (const job of jobs.filter((candidate) => candidate.queue === queueName)) {
        if ((await queue.remove(job.jobId)) === 1) gone.add(job.jobId);
      }
      if (gone.size) await removeJobEvents(redis, prefix, queueName, gone);
      removed += gone.size;
    } finally {
      await queue.close();
    }
  }
  return removed;
}
