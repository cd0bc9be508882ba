import { randomBytes, randomUUID } from "node:crypto";
import { env } from "@consentry/env";
import { type Job, Queue, UnrecoverableError, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it, vi } from "vitest";
import {
  cachedFor,
  createJobProducer,
  dispatchByName,
  enqueueCameraProbe,
  erasureBackoff,
  JOBS,
  JobPayloadError,
  processorFor,
  producerOptions,
  QUEUE_NAMES,
  redisConnection,
  workerOptions,
} from "./index";

// Real Redis; a private key prefix keeps parallel or crashed runs apart.
const redisUrl = env.REDIS_URL;
const prefix = `test-queue-${randomBytes(6).toString("hex")}`;
/** Never a value of a payload in an error message: tests put this in the malformed payloads. */
const SECRET = "secret-value-7f3a";

const opened: { close(): Promise<unknown> }[] = [];
function queueOf(name: string, keyPrefix = prefix) {
  const queue = new Queue(name, producerOptions(redisUrl, keyPrefix));
  opened.push(queue);
  return queue;
}
function workerOn(name: string, processor: (job: Job) => Promise<unknown>) {
  const worker = new Worker(name, processor, { ...workerOptions(redisUrl, prefix), name: "queue-test" });
  worker.on("error", () => {});
  opened.unshift(worker); // workers close before the queues
  return worker;
}

/** Waits until the job has completed or failed, then returns it as stored. */
async function settled(queue: Queue, jobId: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await queue.getJobState(jobId);
    if (state === "completed" || state === "failed") return { state, job: (await queue.getJob(jobId)) as Job };
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const countOf = (queue: Queue) =>
  queue.getJobCounts("waiting", "active", "delayed", "prioritized", "completed", "failed");

afterAll(async () => {
  for (const part of opened) await part.close().catch(() => {});
  // Everything under the test prefixes, schedulers included.
  const redis = new Redis(redisConnection(redisUrl));
  try {
    for (const pattern of [`${prefix}:*`, `${prefix}-*`]) {
      const keys = await redis.keys(pattern);
      if (keys.length) await redis.del(...keys);
    }
  } finally {
    await redis.quit();
  }
}, 30_000);

describe("erasure retries", () => {
  it("back off from 5 s doubling, capped at an hour, over about a day", () => {
    expect([1, 2, 3, 4].map((attempt) => erasureBackoff(attempt))).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(erasureBackoff(12)).toBe(3_600_000);
    const total = Array.from({ length: 29 }, (_, i) => erasureBackoff(i + 1)).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(12 * 3_600_000);
  });
});

describe("job contracts", () => {
  it("keep the queue names, job names, ids and options running installations use", () => {
    const id = randomUUID();
    const contracts = Object.fromEntries(
      Object.entries(JOBS).map(([key, job]) => [key, { queue: job.queue, name: job.name, options: job.options }]),
    );
    expect(contracts).toEqual({
      auditChainVerify: { queue: "ops", name: "audit-chain-verify", options: {} },
      auditChainAnchor: { queue: "ops", name: "audit-chain-anchor", options: {} },
      cameraProbeSweep: { queue: "ops", name: "camera-probe-sweep", options: {} },
      complianceSnapshot: { queue: "ops", name: "compliance-snapshot", options: {} },
      outboxRelay: {
        queue: "ops",
        name: "outbox-relay",
        options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
      },
      jobReconcile: {
        queue: "ops",
        name: "job-reconcile",
        options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
      },
      retention: {
        queue: "ops",
        name: "retention",
        options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
      },
      reEnrolment: {
        queue: "enrollment",
        name: "re-enrol",
        options: {
          attempts: 3,
          backoff: { type: "exponential", delay: 5000 },
          removeOnComplete: true,
          removeOnFail: 100,
        },
      },
      cameraProbe: {
        queue: "camera-probe",
        name: "probe",
        options: { attempts: 1, removeOnComplete: true, removeOnFail: 100 },
      },
      templateDeletion: {
        queue: "dsr-erasure",
        name: "template-deletion",
        options: { attempts: 30, backoff: { type: "erasure-capped", delay: 5000 }, removeOnComplete: true },
      },
      erasure: {
        queue: "dsr-erasure",
        name: "erasure",
        options: { attempts: 30, backoff: { type: "erasure-capped", delay: 5000 }, removeOnComplete: true },
      },
      enrolment: { queue: "enrollment", name: "enrol", options: { attempts: 3 } },
      streamLease: {
        queue: "stream-analysis",
        name: "lease",
        options: { attempts: 1, removeOnComplete: true, removeOnFail: true },
      },
    });
    expect(JOBS.cameraProbe.optionsFor({ cameraId: id })).toMatchObject({ deduplication: { id } });
    expect(JOBS.erasure.optionsFor({ requestId: id }).jobId).toBe(`erasure-${id}`);
    expect(JOBS.enrolment.optionsFor({ enrolmentId: id }).jobId).toBe(`enrolment-${id}`);
    // BullMQ refuses ':' in custom ids; a model id's other characters stay readable.
    expect(JOBS.reEnrolment.optionsFor({ siteId: id, modelId: "fr_feature_int8@faceplugin-0.0.1+ab:cd" }).jobId).toBe(
      `re-enrolment-${id}-fr_feature_int8@faceplugin-0.0.1+ab_cd`,
    );
    expect(JOBS.streamLease.optionsFor({ cameraId: id }, { delay: 5 })).toMatchObject({
      jobId: `camera-${id}`,
      delay: 5,
    });
    const deletion = { jobId: "withdrawal-1", subjectId: id, templateIds: [], reason: "consent_withdrawn" as const };
    expect(JOBS.templateDeletion.optionsFor(deletion).jobId).toBe("withdrawal-1");
    // Each job name once per queue, on a queue that exists.
    const queues = new Set<string>(Object.values(QUEUE_NAMES));
    const names = Object.values(JOBS).map((job) => `${job.queue}/${job.name}`);
    expect(new Set(names).size).toBe(names.length);
    for (const job of Object.values(JOBS)) expect(queues.has(job.queue)).toBe(true);
  });
});

describe("adding through a definition", { timeout: 20_000 }, () => {
  it("adds the job with its options, and its deterministic id absorbs a second add", async () => {
    const queue = queueOf(QUEUE_NAMES.enrolment);
    const enrolmentId = randomUUID();
    const first = await JOBS.enrolment.add(queue, { enrolmentId });
    const second = await JOBS.enrolment.add(queue, { enrolmentId });
    expect(first.id).toBe(`enrolment-${enrolmentId}`);
    expect(second.id).toBe(first.id);
    const stored = await queue.getJob(`enrolment-${enrolmentId}`);
    expect(stored?.name).toBe("enrol");
    expect(stored?.data).toEqual({ enrolmentId });
    // The definition's options over the producer's queue defaults.
    expect(stored?.opts).toMatchObject({
      attempts: 3,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: 1000,
      removeOnFail: 5000,
    });
    expect((await countOf(queue)).waiting).toBe(1);
  });

  it("takes a template deletion's id from its payload, through the API's producer", async () => {
    const jobs = createJobProducer(redisUrl, prefix);
    opened.push(jobs);
    const queue = queueOf(QUEUE_NAMES.dsrErasure);
    const deletion = {
      jobId: `template-deletion-${randomBytes(4).toString("hex")}`,
      subjectId: randomUUID(),
      templateIds: [randomUUID()],
      reason: "consent_withdrawn" as const,
    };
    expect(await jobs.deleteTemplates(deletion)).toBe(deletion.jobId);
    expect(await jobs.deleteTemplates(deletion)).toBe(deletion.jobId);
    const requestId = randomUUID();
    await jobs.erase(requestId);
    await jobs.erase(requestId);
    expect(await queue.getJob(deletion.jobId)).toMatchObject({ name: "template-deletion", opts: { attempts: 30 } });
    expect(await queue.getJob(`erasure-${requestId}`)).toMatchObject({ name: "erasure", data: { requestId } });
    expect((await countOf(queue)).waiting).toBe(2);
  });

  it("lets a probe still waiting for a camera absorb the next one", async () => {
    const queue = queueOf(QUEUE_NAMES.cameraProbe);
    const cameraId = randomUUID();
    await enqueueCameraProbe(queue, cameraId);
    await JOBS.cameraProbe.add(queue, { cameraId });
    const [job, ...others] = await queue.getWaiting();
    expect(others).toEqual([]);
    expect(job).toMatchObject({
      name: "probe",
      data: { cameraId },
      opts: { attempts: 1, removeOnComplete: true, removeOnFail: 100, deduplication: { id: cameraId } },
    });
  });

  it("serves a probe someone asked for before the sweep's probes", async () => {
    const own = `${prefix}-priority`; // no probe of the other tests in this queue
    const queue = queueOf(QUEUE_NAMES.cameraProbe, own);
    const swept = [randomUUID(), randomUUID(), randomUUID()];
    for (const cameraId of swept) await enqueueCameraProbe(queue, cameraId, { sweep: true });
    const asked = randomUUID();
    await enqueueCameraProbe(queue, asked);
    const order: string[] = [];
    const worker = new Worker(
      QUEUE_NAMES.cameraProbe,
      async (job) => {
        order.push(job.data.cameraId);
      },
      { ...workerOptions(redisUrl, own), concurrency: 1 },
    );
    opened.unshift(worker);
    await vi.waitFor(() => expect(order).toHaveLength(4), { timeout: 10_000 });
    expect(order).toEqual([asked, ...swept]);
  });

  it("adds lease jobs in bulk with per-job delays; existing leases absorb new ones", async () => {
    const queue = queueOf(QUEUE_NAMES.streamAnalysis);
    const [now, later] = [randomUUID(), randomUUID()];
    const leases = [{ data: { cameraId: now } }, { data: { cameraId: later }, opts: { delay: 60_000 } }];
    await JOBS.streamLease.addBulk(queue, leases);
    await JOBS.streamLease.addBulk(queue, leases);
    expect(await queue.getJobState(`camera-${now}`)).toBe("waiting");
    expect(await queue.getJobState(`camera-${later}`)).toBe("delayed");
    expect(await queue.getJob(`camera-${now}`)).toMatchObject({
      name: "lease",
      opts: { attempts: 1, removeOnComplete: true, removeOnFail: true },
    });
    expect(await countOf(queue)).toMatchObject({ waiting: 1, delayed: 1 });
    expect(await JOBS.streamLease.addBulk(queue, [])).toEqual([]);
  });

  it("refuses a payload that does not match before it reaches Redis, naming the job and not the value", async () => {
    const queue = queueOf(QUEUE_NAMES.dsrErasure, `${prefix}-refused`);
    const refusal = JOBS.erasure.add(queue, { requestId: SECRET });
    await expect(refusal).rejects.toThrow(JobPayloadError);
    const message = await refusal.catch((error: Error) => error.message);
    expect(message).toMatch(/^invalid payload for erasure: requestId: /);
    expect(message).not.toContain(SECRET);
    await expect(JOBS.erasure.add(queue, { requestId: randomUUID(), note: SECRET } as never)).rejects.toThrow(
      /invalid payload for erasure: \(root\): Unrecognized key: "note"/,
    );
    // One bad payload in a bulk add, and none of them is added.
    const leases = queueOf(QUEUE_NAMES.streamAnalysis, `${prefix}-refused`);
    await expect(
      JOBS.streamLease.addBulk(leases, [{ data: { cameraId: randomUUID() } }, { data: { cameraId: SECRET } }]),
    ).rejects.toThrow(/invalid payload for lease: cameraId: /);
    // The API's producer validates too.
    const jobs = createJobProducer(redisUrl, `${prefix}-refused`);
    opened.push(jobs);
    await expect(jobs.enrol(SECRET)).rejects.toThrow(/invalid payload for enrol: enrolmentId: /);
    // A job added to another queue than its own.
    await expect(JOBS.enrolment.add(queue, { enrolmentId: randomUUID() })).rejects.toThrow(
      /job "enrol" belongs on queue enrollment, not dsr-erasure/,
    );

    // Nothing but the queues' own metadata, written when a queue connects.
    const redis = new Redis(redisConnection(redisUrl));
    try {
      const keys = await redis.keys(`${prefix}-refused:*`);
      expect(keys.filter((key) => !key.endsWith(":meta"))).toEqual([]);
    } finally {
      await redis.quit();
    }
  });

  it("registers a job scheduler producing the job, and refuses a bad template payload", async () => {
    const queue = queueOf(QUEUE_NAMES.ops, `${prefix}-schedules`);
    await JOBS.auditChainVerify.schedule(queue, "test-audit-hourly", { every: 3600_000 }, {});
    expect(await queue.getJobSchedulers()).toEqual([
      expect.objectContaining({ key: "test-audit-hourly", name: "audit-chain-verify", every: 3600_000 }),
    ]);
    await expect(
      JOBS.complianceSnapshot.schedule(queue, "test-snapshot", { every: 60_000 }, { all: true } as never),
    ).rejects.toThrow(/invalid payload for compliance-snapshot/);
    expect(await queue.getJobSchedulers()).toHaveLength(1);
  });
});

describe("processors built from a definition", { timeout: 20_000 }, () => {
  it("pass the parsed payload to the handler and refuse a malformed job at once, without retries", async () => {
    const queue = queueOf(QUEUE_NAMES.enrolment, `${prefix}-processor`);
    const seen: unknown[] = [];
    const worker = new Worker(
      QUEUE_NAMES.enrolment,
      processorFor(JOBS.enrolment, async (data, job) => {
        seen.push({ data, name: job.name });
        return { enrolled: data.enrolmentId };
      }),
      { ...workerOptions(redisUrl, `${prefix}-processor`), name: "queue-test" },
    );
    worker.on("error", () => {});
    opened.unshift(worker);

    const enrolmentId = randomUUID();
    const added = await JOBS.enrolment.add(queue, { enrolmentId });
    const done = await settled(queue, String(added.id));
    expect(done.state).toBe("completed");
    expect(done.job.returnvalue).toEqual({ enrolled: enrolmentId });
    expect(seen).toEqual([{ data: { enrolmentId }, name: "enrol" }]);

    // Added around the definition, as an old producer or a hand-written job would.
    const malformed = await queue.add("enrol", { enrolmentId: SECRET }, { attempts: 3, backoff: 0 });
    const failed = await settled(queue, String(malformed.id));
    expect(failed.state).toBe("failed");
    expect(failed.job.attemptsMade).toBe(1);
    expect(failed.job.failedReason).toMatch(/^invalid payload for enrol: enrolmentId: /);
    expect(failed.job.failedReason).not.toContain(SECRET);
    expect(seen).toHaveLength(1);
  });

  it("throw BullMQ's UnrecoverableError for a bad payload and expose their definition", async () => {
    let called = false;
    const processor = processorFor(JOBS.streamLease, () => {
      called = true;
    });
    expect(processor.definition).toBe(JOBS.streamLease);
    const refusal = processor({ name: "lease", data: { cameraId: 42 } } as unknown as Job);
    await expect(refusal).rejects.toBeInstanceOf(UnrecoverableError);
    await expect(refusal).rejects.toThrow("invalid payload for lease: cameraId: Invalid input: expected string");
    await expect(processor({ name: "lease", data: null } as unknown as Job)).rejects.toThrow(
      /^invalid payload for lease: \(root\): /,
    );
    expect(called).toBe(false);
  });
});

describe("dispatching by job name", { timeout: 20_000 }, () => {
  it("routes each job to its processor and refuses an unknown name at once, without retries", async () => {
    const queue = queueOf(QUEUE_NAMES.ops);
    workerOn(
      QUEUE_NAMES.ops,
      dispatchByName(QUEUE_NAMES.ops, [
        processorFor(JOBS.auditChainVerify, () => "verified"),
        processorFor(JOBS.complianceSnapshot, () => "snapshot"),
      ]),
    );
    const audit = await JOBS.auditChainVerify.add(queue, {});
    const snapshot = await JOBS.complianceSnapshot.add(queue, {});
    expect((await settled(queue, String(audit.id))).job.returnvalue).toBe("verified");
    expect((await settled(queue, String(snapshot.id))).job.returnvalue).toBe("snapshot");

    for (const name of ["no-such-job", JOBS.cameraProbeSweep.name]) {
      const unknown = await queue.add(name, {}, { attempts: 3, backoff: 0 });
      const { state, job } = await settled(queue, String(unknown.id));
      expect(state).toBe("failed");
      expect(job.attemptsMade).toBe(1);
      expect(job.failedReason).toBe(`unknown job name "${name}" on queue ops`);
    }
    // A known name with a bad payload is refused by its own processor.
    const bad = await queue.add(JOBS.auditChainVerify.name, { unexpected: SECRET }, { attempts: 3, backoff: 0 });
    const { job } = await settled(queue, String(bad.id));
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(
      /^invalid payload for audit-chain-verify: \(root\): Unrecognized key: "unexpected"/,
    );
    expect(job.failedReason).not.toContain(SECRET);
  });

  it("refuses at start-up a processor of another queue or two processors for one name", () => {
    expect(() => dispatchByName(QUEUE_NAMES.ops, [processorFor(JOBS.erasure, () => null)])).toThrow(
      /job "erasure" belongs on queue dsr-erasure, not ops/,
    );
    expect(() =>
      dispatchByName(QUEUE_NAMES.dsrErasure, [
        processorFor(JOBS.erasure, () => null),
        processorFor(JOBS.erasure, () => null),
      ]),
    ).toThrow(/two processors for job "erasure"/);
  });
});

describe("cachedFor with serveStale", () => {
  it("reuses a fresh result, answers a stale one while one reload runs, and survives a failed reload", async () => {
    let calls = 0;
    let fail = false;
    const load = cachedFor(
      50,
      async () => {
        calls += 1;
        if (fail) throw new Error("database down");
        return calls;
      },
      { serveStale: true },
    );
    expect(await load()).toBe(1);
    expect(await load()).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 60));
    // Stale: answered at once, with one reload behind it however many ask.
    expect(await Promise.all([load(), load()])).toEqual([1, 1]);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await load()).toBe(2);
    expect(calls).toBe(2);
    fail = true;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await load()).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toBe(3);
  });
});
