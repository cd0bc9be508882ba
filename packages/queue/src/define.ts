import {
  type Job,
  type JobSchedulerTemplateOptions,
  type JobsOptions,
  type Queue,
  type RepeatOptions,
  UnrecoverableError,
} from "bullmq";
import type { z } from "zod";

/** A job's default options; its id and deduplication come from its payload (`jobId`, `deduplicationId`). */
export type JobDefaults = Omit<JobsOptions, "jobId" | "deduplication" | "debounce" | "repeat">;

/** What one add may set on top of the definition's options. */
export type JobAddOptions = Pick<JobsOptions, "delay" | "priority">;

/** A payload refused by a job's schema, before it reaches Redis. Names the job and the first issue only. */
export class JobPayloadError extends Error {
  override name = "JobPayloadError";
}

type Issue = { readonly path: readonly PropertyKey[]; readonly message: string };

/**
 * `invalid payload for <job>: <path>: <message>` from the first zod issue. Zod's messages name
 * what was expected, never the value received, so nothing from the payload reaches logs or Redis.
 */
export function invalidPayloadMessage(jobName: string, issues: readonly Issue[]): string {
  const [issue] = issues;
  if (!issue) return `invalid payload for ${jobName}`;
  const path = issue.path.length ? issue.path.map(String).join(".") : "(root)";
  return `invalid payload for ${jobName}: ${path}: ${issue.message}`;
}

export type JobDefinition<Q extends string = string, N extends string = string, S extends z.ZodType = z.ZodType> = {
  readonly queue: Q;
  readonly name: N;
  readonly schema: S;
  readonly options: Readonly<JobDefaults>;
  /** A deterministic job id: adding a job whose id exists is a no-op. */
  readonly jobId?: (data: z.output<S>) => string;
  /** BullMQ deduplication id: a job with this id still waiting absorbs the new one. */
  readonly deduplicationId?: (data: z.output<S>) => string;
  /** With `deduplicationId`: an add while the job runs queues one more run after it (never two at once). */
  readonly keepLastIfActive?: boolean;
  /** The payload checked against the schema; throws `JobPayloadError`. */
  parse(data: unknown): z.output<S>;
  /** The options one add of this payload uses (definition options, ids, then `extra`). */
  optionsFor(data: z.output<S>, extra?: JobAddOptions): JobsOptions;
  /** Validates the payload and adds the job to `queue`, which must be the definition's queue. */
  add(queue: Queue, data: z.input<S>, extra?: JobAddOptions): Promise<Job>;
  /** `add` for many payloads in one round trip; every payload is validated before any is added. */
  addBulk(queue: Queue, jobs: readonly { data: z.input<S>; opts?: JobAddOptions }[]): Promise<Job[]>;
  /** Creates or updates a job scheduler (repeatable job) producing this job with this payload. */
  schedule(queue: Queue, schedulerId: string, repeat: Omit<RepeatOptions, "key">, data: z.input<S>): Promise<unknown>;
};

// biome-ignore lint/suspicious/noExplicitAny: any definition, whatever its schema.
export type AnyJobDefinition = JobDefinition<string, string, any>;

/**
 * One job's contract: the queue it travels on, its name, its payload schema and its default
 * options. Producers add through it and processors are built from it (`processorFor`), so the
 * names, ids and options live here only.
 */
export function defineJob<const Q extends string, const N extends string, S extends z.ZodType>(spec: {
  queue: Q;
  name: N;
  schema: S;
  options?: JobDefaults;
  jobId?: (data: z.output<S>) => string;
  deduplicationId?: (data: z.output<S>) => string;
  keepLastIfActive?: boolean;
}): JobDefinition<Q, N, S> {
  const { queue: queueName, name, schema, options = {}, jobId, deduplicationId, keepLastIfActive } = spec;

  const parse = (data: unknown): z.output<S> => {
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new JobPayloadError(invalidPayloadMessage(name, parsed.error.issues));
    return parsed.data;
  };
  const optionsFor = (data: z.output<S>, extra?: JobAddOptions): JobsOptions => ({
    ...options,
    ...(jobId && { jobId: jobId(data) }),
    ...(deduplicationId && {
      deduplication: { id: deduplicationId(data), ...(keepLastIfActive && { keepLastIfActive: true }) },
    }),
    ...extra,
  });
  const checkQueue = (queue: Queue) => {
    if (queue.name !== queueName) {
      throw new Error(`job "${name}" belongs on queue ${queueName}, not ${queue.name}`);
    }
  };

  return Object.freeze({
    queue: queueName,
    name,
    schema,
    options: Object.freeze({ ...options }),
    jobId,
    deduplicationId,
    keepLastIfActive,
    parse,
    optionsFor,
    async add(queue, data, extra) {
      checkQueue(queue);
      const payload = parse(data);
      return queue.add(name, payload, optionsFor(payload, extra));
    },
    async addBulk(queue, jobs) {
      checkQueue(queue);
      const bulk = jobs.map(({ data, opts }) => {
        const payload = parse(data);
        return { name, data: payload, opts: optionsFor(payload, opts) };
      });
      return bulk.length ? queue.addBulk(bulk) : [];
    },
    async schedule(queue, schedulerId, repeat, data) {
      checkQueue(queue);
      if (jobId || deduplicationId) throw new Error(`job "${name}" has payload-derived ids and cannot be scheduled`);
      const payload = parse(data);
      return queue.upsertJobScheduler(schedulerId, repeat, {
        name,
        data: payload,
        opts: options as JobSchedulerTemplateOptions,
      });
    },
  });
}

/** A BullMQ processor built from a job definition; `definition` lets a dispatcher route to it. */
export type JobProcessor<R = unknown> = ((job: Job) => Promise<R>) & { readonly definition: AnyJobDefinition };

/**
 * The processor for one job: `job.data` is checked against the definition's schema and the
 * handler gets the parsed payload. A payload that does not match can never succeed on a retry,
 * so it fails the job at once with BullMQ's `UnrecoverableError`, naming the job and the first issue.
 */
export function processorFor<S extends z.ZodType, R>(
  definition: JobDefinition<string, string, S>,
  handler: (data: z.output<S>, job: Job) => Promise<R> | R,
): JobProcessor<R> {
  const processor = async (job: Job): Promise<R> => {
    const parsed = definition.schema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(invalidPayloadMessage(definition.name, parsed.error.issues));
    return handler(parsed.data, job);
  };
  return Object.assign(processor, { definition });
}

/**
 * The processor for a queue carrying several job names: routes each job to the processor built
 * from its definition and fails an unknown name at once with `UnrecoverableError`.
 */
export function dispatchByName(queue: string, processors: readonly JobProcessor[]): (job: Job) => Promise<unknown> {
  const byName = new Map<string, JobProcessor>();
  for (const processor of processors) {
    const { queue: jobQueue, name } = processor.definition;
    if (jobQueue !== queue) throw new Error(`job "${name}" belongs on queue ${jobQueue}, not ${queue}`);
    if (byName.has(name)) throw new Error(`two processors for job "${name}" on queue ${queue}`);
    byName.set(name, processor);
  }
  return async (job: Job) => {
    const processor = byName.get(job.name);
    if (!processor) throw new UnrecoverableError(`unknown job name "${job.name}" on queue ${queue}`);
    return processor(job);
  };
}
