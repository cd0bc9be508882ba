import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, timestamptz } from "./columns";

/** The jobs that must happen once their change has committed (erasure, template deletion, enrolment). */
export const OUTBOX_KINDS = ["erase", "deleteTemplates", "enrol"] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * Transactional outbox: a job written in the same transaction as the change that needs it, then
 * handed to BullMQ by the relay (ops worker, and a best-effort attempt after commit) under its
 * idempotent job id, so a Redis outage or restart loses nothing. The payload holds ids only,
 * never personal data.
 */
export const jobOutbox = pgTable(
  "job_outbox",
  {
    id: uuid().primaryKey().defaultRandom(),
    kind: text().$type<OutboxKind>().notNull(),
    payload: jsonb().$type<Record<string, unknown>>().notNull(),
    /** BullMQ job id: enqueueing the same row twice adds one job. */
    jobId: text().notNull(),
    createdAt: createdAt(),
    /** When BullMQ accepted the job; null while pending. */
    enqueuedAt: timestamptz(),
    attempts: integer().notNull().default(0),
    lastError: text(),
  },
  (table) => [
    check("job_outbox_kind", sql`${table.kind} in ('erase', 'deleteTemplates', 'enrol')`),
    // One pending row per job: a re-queue while one is still pending adds nothing.
    uniqueIndex("job_outbox_pending_job_unique").on(table.jobId).where(sql`${table.enqueuedAt} is null`),
    index("job_outbox_created_at_idx").on(table.createdAt),
  ],
);
