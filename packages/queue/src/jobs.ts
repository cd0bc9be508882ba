import { z } from "zod";
import { defineJob } from "./define";

/** Every queue the system uses; workers and producers import names from here only. */
export const QUEUE_NAMES = {
  /** Repeatable maintenance jobs: audit-chain verification and anchoring, the camera probe sweep. */
  ops: "ops",
  /** One short job per camera health probe (ffprobe), many in parallel. */
  cameraProbe: "camera-probe",
  /** Deleting a person's face data: templates after a withdrawal now, full erasure with the portal. */
  dsrErasure: "dsr-erasure",
  /** Turning a consenting person's photos into face templates. */
  /** Stored as "enrollment" (Redis keys of running installations); the code says enrolment. */
  enrolment: "enrollment",
  /**
   * One long-running lease job per camera with face recognition on (job id from the camera id):
   * the worker holding it analyses that camera's stream; BullMQ's lock makes it exclusive.
   */
  streamAnalysis: "stream-analysis",
  /** Alerts: mail to members and requesters, and the sweeps that find what to notify (ops worker). */
  notifications: "notifications",
} as const;

export const opsJobSchemas = {
  "audit-chain-verify": z.object({}).strict(),
  "audit-chain-anchor": z.object({}).strict(),
  "camera-probe-sweep": z.object({}).strict(),
  "compliance-snapshot": z.object({}).strict(),
  "outbox-relay": z.object({}).strict(),
  "job-reconcile": z.object({}).strict(),
  retention: z.object({}).strict(),
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
    /**
     * The withdrawn consents whose face data goes (templates, enrolment photos and files, the
     * site's recognition events) and which get the withdrawal certificate. Absent in jobs queued
     * before certificates existed: those delete `templateIds` only.
     */
    consentIds: z.array(z.uuid()).optional(),
    /** The portal request that asked for the withdrawal: it gets the certificate too. */
    requestId: z.uuid().optional(),
  })
  .strict();
export type TemplateDeletionJob = z.infer<typeof templateDeletionJobSchema>;

/**
 * Erasure retries outlast hours of database or storage trouble: 5 s doubling up to an hour
 * (about a day over 30 attempts). A custom type because BullMQ's exponential has no cap; the
 * dsr-erasure worker passes `erasureBackoff` as its backoff strategy.
 */
export const ERASURE_BACKOFF = { type: "erasure-capped", delay: 5_000 } as const;
export const ERASURE_BACKOFF_CAP_MS = 3_600_000;
export const ERASURE_ATTEMPTS = 30;
export function erasureBackoff(attemptsMade: number, delay: number = ERASURE_BACKOFF.delay): number {
  return Math.min(delay * 2 ** Math.max(0, attemptsMade - 1), ERASURE_BACKOFF_CAP_MS);
}

/** Erasure of everything held about the subject of a verified, approved request (portal). */
export const dsrErasureJobSchema = z.object({ requestId: z.uuid() }).strict();
export type DsrErasureJob = z.infer<typeof dsrErasureJobSchema>;

export const enrolmentJobSchema = z.object({ enrolmentId: z.uuid() }).strict();
export type EnrolmentJob = z.infer<typeof enrolmentJobSchema>;

/** The current embedding model, as the worker that re-embeds names it (`FaceAnalyzer.modelId`). */
export const reEnrolmentJobSchema = z.object({ siteId: z.uuid(), modelId: z.string().min(1).max(200) }).strict();
export type ReEnrolmentJob = z.infer<typeof reEnrolmentJobSchema>;

export const streamLeaseJobSchema = z.object({ cameraId: z.uuid() }).strict();
export type StreamLeaseJob = z.infer<typeof streamLeaseJobSchema>;
/** The lease job's id: one per camera, so a camera can never be queued twice. */
export const streamLeaseJobId = (cameraId: string) => `camera-${cameraId}`;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

/**
 * Every job's contract, defined once: queue, name, payload schema, default options and, where
 * a job must never be queued twice, its deterministic id. Producers add through these
 * (`JOBS.enrolment.add(queue, data)`) and processors are built from them (`processorFor`).
 * Names, ids and options are Redis state of running installations: never change them.
 */
export const JOBS = {
  /** Repeatable (job scheduler): walks the audit hash chain. */
  auditChainVerify: defineJob({
    queue: QUEUE_NAMES.ops,
    name: "audit-chain-verify",
    schema: opsJobSchemas["audit-chain-verify"],
  }),
  /** Repeatable (job scheduler, daily): verifies the chain and stores its signed head as an anchor. */
  auditChainAnchor: defineJob({
    queue: QUEUE_NAMES.ops,
    name: "audit-chain-anchor",
    schema: opsJobSchemas["audit-chain-anchor"],
  }),
  /** Repeatable (job scheduler): fans out one probe per enabled camera. */
  cameraProbeSweep: defineJob({
    queue: QUEUE_NAMES.ops,
    name: "camera-probe-sweep",
    schema: opsJobSchemas["camera-probe-sweep"],
  }),
  /** Repeatable (job scheduler): compliance snapshots of organisations whose facts changed. */
  complianceSnapshot: defineJob({
    queue: QUEUE_NAMES.ops,
    name: "compliance-snapshot",
    schema: opsJobSchemas["compliance-snapshot"],
  }),
  /** Repeatable (job scheduler, seconds): hands pending job_outbox rows to BullMQ. */
  outboxRelay: defineJob({
    queue: QUEUE_NAMES.ops,
    name: "outbox-relay",
    schema: opsJobSchemas["outbox-relay"],
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  }),
  /** Repeatable (job scheduler, minutes): re-queues erasures and template deletions whose job vanished. */
  jobReconcile: defineJob({
    queue: QUEUE_NAMES.ops,
    name: "job-reconcile",
    schema: opsJobSchemas["job-reconcile"],
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  }),
  /** Repeatable (job scheduler, hourly): deletes what is past its retention, in bounded batches. */
  retention: defineJob({
    queue: QUEUE_NAMES.ops,
    name: "retention",
    schema: opsJobSchemas.retention,
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  }),
  /** One camera health probe; a probe already waiting for that camera absorbs the new one. */
  cameraProbe: defineJob({
    queue: QUEUE_NAMES.cameraProbe,
    name: "probe",
    schema: cameraProbeJobSchema,
    options: { attempts: 1, removeOnComplete: true, removeOnFail: 100 },
    deduplicationId: (data) => data.cameraId,
  }),
  /** Deletion of face templates after a withdrawal; the producer chooses the (deterministic) id. */
  templateDeletion: defineJob({
    queue: QUEUE_NAMES.dsrErasure,
    name: "template-deletion",
    schema: templateDeletionJobSchema,
    // Its payload names the person: gone once done; a failed one stays for the Workers page.
    options: { attempts: ERASURE_ATTEMPTS, backoff: ERASURE_BACKOFF, removeOnComplete: true },
    jobId: (data) => data.jobId,
  }),
  /** The erasure behind an approved deletion request: one job per request. */
  erasure: defineJob({
    queue: QUEUE_NAMES.dsrErasure,
    name: "erasure",
    schema: dsrErasureJobSchema,
    // A completed erasure leaves no job behind (its earlier failures go with it); a failed one
    // stays for the Workers page.
    options: { attempts: ERASURE_ATTEMPTS, backoff: ERASURE_BACKOFF, removeOnComplete: true },
    jobId: (data) => `erasure-${data.requestId}`,
  }),
  /** Templates from an enrolment's photos: one job per enrolment. */
  enrolment: defineJob({
    queue: QUEUE_NAMES.enrolment,
    name: "enrol",
    schema: enrolmentJobSchema,
    options: { attempts: 3 },
    jobId: (data) => `enrolment-${data.enrolmentId}`,
  }),
  /**
   * A site's templates of older embedding models, re-embedded from kept photos or marked for a new
   * one (inference worker). One per site and model at a time; removed when done, so a template an
   * older worker made later is found by the next worker start.
   */
  reEnrolment: defineJob({
    queue: QUEUE_NAMES.enrolment,
    name: "re-enrol",
    schema: reEnrolmentJobSchema,
    options: { attempts: 3, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: true, removeOnFail: 100 },
    jobId: (data) => `re-enrolment-${data.siteId}-${data.modelId.replace(/[^A-Za-z0-9._@+-]/g, "_")}`,
  }),
  /** A camera's stream-analysis lease: one per camera, held for as long as a worker analyses it. */
  streamLease: defineJob({
    queue: QUEUE_NAMES.streamAnalysis,
    name: "lease",
    schema: streamLeaseJobSchema,
    options: { attempts: 1, removeOnComplete: true, removeOnFail: true },
    jobId: (data) => streamLeaseJobId(data.cameraId),
  }),
} as const;
