import { sql } from "drizzle-orm";
import { check, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { createdAt, timestamptz } from "./columns";
import { orgReference } from "./organizations";
import { sites } from "./sites";
import { subjects } from "./subjects";

/**
 * What a site keeps, each with its own period (CN-FR-07, CN-PI-03). Templates are not here: their
 * period is `sites.template_retention_days` (days after last use), edited with the site.
 * Sessions and verification codes are installation-wide and expire by their own `expires_at`.
 */
export const RETENTION_KINDS = [
  "recognition_events",
  "unknown_face_counts",
  "enrolment_photos",
  "camera_status_history",
  "portal_requests",
  "portal_contact",
  "unverified_requests",
] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];
export const retentionKind = pgEnum("retention_kind", RETENTION_KINDS);

/** A site's retention period per kind of data; every site has one row per kind. */
export const retentionPolicies = pgTable(
  "retention_policies",
  {
    siteId: uuid()
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    orgId: orgReference(),
    kind: retentionKind().notNull(),
    /** 0 means at once (e.g. enrolment photos as soon as their template is made). */
    days: integer().notNull(),
    updatedAt: timestamptz().notNull().defaultNow(),
    /** users.id of the owner who last changed it; null for the default. */
    updatedBy: text(),
  },
  (table) => [
    primaryKey({ columns: [table.siteId, table.kind] }),
    index().on(table.orgId),
    check("retention_policies_days", sql`${table.days} >= 0 and ${table.days} <= 3650`),
  ],
);

export const retentionRunStatus = pgEnum("retention_run_status", ["running", "completed", "failed", "interrupted"]);

/**
 * One run of the retention job and its report: what it deleted, per site and kind. Counts only,
 * never an identifier of what was deleted.
 */
export const retentionRuns = pgTable(
  "retention_runs",
  {
    id: uuid().primaryKey().defaultRandom(),
    startedAt: timestamptz().notNull().defaultNow(),
    finishedAt: timestamptz(),
    status: retentionRunStatus().notNull().default("running"),
    /** Renewed as a run progresses: a "running" run whose heartbeat stopped was killed (interrupted). */
    heartbeatAt: timestamptz().notNull().defaultNow(),
    /** Deleted rows (and files) by site id, then kind: `{ "<siteId>": { "recognition_events": 120 } }`; "*" for installation-wide kinds. */
    counts: jsonb().$type<Record<string, Record<string, number>>>().notNull().default({}),
    /** PostgreSQL's or the file store's message when the run failed; never parameters. */
    error: text(),
  },
  (table) => [index().on(table.startedAt)],
);

/** Proof that a template was deleted when its retention ran out, like an erasure's certificate. */
export const retentionCertificates = pgTable(
  "retention_certificates",
  {
    id: uuid().primaryKey().defaultRandom(),
    runId: uuid().references(() => retentionRuns.id, { onDelete: "set null" }),
    orgId: orgReference(),
    siteId: uuid()
      .notNull()
      .references(() => sites.id, { onDelete: "cascade" }),
    /** The deleted template's id (no reference: the row is gone). */
    templateId: uuid().notNull(),
    subjectId: uuid().references(() => subjects.id, { onDelete: "set null" }),
    certificate: jsonb().notNull(),
    certificateSha256: text().notNull(),
    createdAt: createdAt(),
  },
  (table) => [index().on(table.siteId, table.createdAt), index().on(table.subjectId)],
);
