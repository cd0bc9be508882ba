import { z } from "zod";
import { defineJob } from "./define";
import { QUEUE_NAMES } from "./jobs";

// Alerts (issue #17.2): the notifications queue carries the mail to members and to data
// subjects, and the sweeps that find what to notify. Payloads hold ids only: a mail job reads
// the address (a member's from `users`, a requester's decrypted from their request) when it runs,
// so no address ever sits in Redis.

/** What a data subject is told by mail about their portal request. */
export const SUBJECT_MAILS = ["approved", "refused"] as const;
export type SubjectMail = (typeof SUBJECT_MAILS)[number];

export const staffMailJobSchema = z.object({ orgId: z.uuid(), userId: z.string().min(1).max(200) }).strict();
export type StaffMailJob = z.infer<typeof staffMailJobSchema>;

export const subjectMailJobSchema = z.object({ requestId: z.uuid(), mail: z.enum(SUBJECT_MAILS) }).strict();
export type SubjectMailJob = z.infer<typeof subjectMailJobSchema>;

export const notificationOpsSchemas = {
  "notification-relay": z.object({}).strict(),
  "notification-sweep": z.object({}).strict(),
  "notification-digest": z.object({}).strict(),
  "notification-purge": z.object({}).strict(),
} as const;

/** A requester's sent mail job stays this long: the relay re-queues answers of the last 30 minutes only. */
export const SUBJECT_MAIL_KEPT_SECONDS = 6 * 3600;

/** Mail is retried with backoff: 30 s, 1 min, 2 min, 4 min, 8 min; the relay picks it up again later. */
export const NOTIFICATION_MAIL_ATTEMPTS = 6;
export const NOTIFICATION_MAIL_BACKOFF = { type: "exponential", delay: 30_000 } as const;

/**
 * The notifications queue's jobs. Like `JOBS`, names, ids and options are Redis state of running
 * installations: never change them.
 */
export const NOTIFICATION_JOBS = {
  /**
   * A member's waiting notifications by mail, one mail for all of them. One job per member and
   * organisation at a time: adds while it waits are absorbed (batching), an add while it runs
   * queues one more run after it.
   */
  staffMail: defineJob({
    queue: QUEUE_NAMES.notifications,
    name: "staff-mail",
    schema: staffMailJobSchema,
    options: {
      attempts: NOTIFICATION_MAIL_ATTEMPTS,
      backoff: NOTIFICATION_MAIL_BACKOFF,
      removeOnComplete: 1000,
      removeOnFail: 1000,
    },
    deduplicationId: (data) => `staff-mail:${data.orgId}:${data.userId}`,
    keepLastIfActive: true,
  }),
  /**
   * One mail to a requester about their request; its id makes a second add of the same mail a
   * no-op. A sent one is kept (ids only) longer than the relay looks back, so the relay's
   * catch-up never sends it twice.
   */
  subjectMail: defineJob({
    queue: QUEUE_NAMES.notifications,
    name: "subject-mail",
    schema: subjectMailJobSchema,
    options: {
      attempts: NOTIFICATION_MAIL_ATTEMPTS,
      backoff: NOTIFICATION_MAIL_BACKOFF,
      removeOnComplete: { age: SUBJECT_MAIL_KEPT_SECONDS },
      removeOnFail: 1000,
    },
    jobId: (data) => `subject-mail-${data.mail}-${data.requestId}`,
  }),
  /**
   * Repeatable (minutes): queues the mail of members whose instant mail is still waiting, and the
   * requester's mail of requests answered in the last 30 minutes (a no-op for those already queued).
   */
  relay: defineJob({
    queue: QUEUE_NAMES.notifications,
    name: "notification-relay",
    schema: notificationOpsSchemas["notification-relay"],
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  }),
  /** Repeatable (hourly): requests due soon and overdue, critical findings, the filing threshold, retention. */
  sweep: defineJob({
    queue: QUEUE_NAMES.notifications,
    name: "notification-sweep",
    schema: notificationOpsSchemas["notification-sweep"],
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  }),
  /** Repeatable (daily): one mail per member who chose the daily digest. */
  digest: defineJob({
    queue: QUEUE_NAMES.notifications,
    name: "notification-digest",
    schema: notificationOpsSchemas["notification-digest"],
    options: { attempts: 3, backoff: { type: "exponential", delay: 60_000 }, removeOnComplete: 100, removeOnFail: 100 },
  }),
  /** Repeatable (daily): deletes notifications read more than 90 days ago. */
  purge: defineJob({
    queue: QUEUE_NAMES.notifications,
    name: "notification-purge",
    schema: notificationOpsSchemas["notification-purge"],
    options: { attempts: 1, removeOnComplete: 100, removeOnFail: 100 },
  }),
} as const;

/** A notifications job the web app may start (after its change committed; best effort). */
export type NotifyJob = ({ type: "staffMail" } & StaffMailJob) | ({ type: "subjectMail" } & SubjectMailJob);
