import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, timestamptz } from "./columns";
import { assessmentKind, requestStatus, requestType } from "./enums";
import { orgReference } from "./organizations";
import { siteReference } from "./sites";
import { subjects } from "./subjects";

/** Data-subject requests from the public portal. */
export const dsrRequests = pgTable(
  "dsr_requests",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: siteReference("restrict"),
    subjectId: uuid().references(() => subjects.id, { onDelete: "set null" }),
    type: requestType().notNull(),
    referenceCode: text().notNull().unique(),
    /** Null once pseudonymised (retention `portal_contact`, or an erasure's completion): only the hash stays. */
    contactEnc: text(),
    contactPseudonymisedAt: timestamptz(),
    /** Keyed hash of the normalised contact, for rate limits and matching without decrypting. */
    contactHash: text().notNull(),
    verificationCodeHash: text(),
    verificationExpiresAt: timestamptz(),
    verificationAttempts: integer().notNull().default(0),
    verifiedAt: timestamptz(),
    submittedAt: timestamptz().notNull().defaultNow(),
    dueAt: timestamptz(),
    status: requestStatus().notNull().default("pending_verification"),
    assignedUserId: text(),
    refusalReason: text(),
    /** Who linked the request to its person, and when (users.id, as assignedUserId). */
    linkedBy: text(),
    linkedAt: timestamptz(),
    /** Why staff linked a person whose stored contact does not match the verified requester's. */
    linkOverrideReason: text(),
    outcome: text(),
    certificate: jsonb(),
    certificateSha256: text(),
    closedAt: timestamptz(),
  },
  (table) => [index().on(table.orgId, table.status, table.dueAt), index().on(table.contactHash)],
);

/**
 * Progress of the erasure behind an approved deletion request. Each step deletes and adds its
 * counts here in one transaction, so a retry after a crash resumes with the counts already
 * made and the deletion certificate comes out the same as from an uninterrupted run.
 */
export const dsrErasures = pgTable("dsr_erasures", {
  requestId: uuid()
    .primaryKey()
    .references(() => dsrRequests.id, { onDelete: "cascade" }),
  subjectId: uuid()
    .notNull()
    .references(() => subjects.id, { onDelete: "cascade" }),
  /** The subject had been erased before this request's erasure began (by an earlier request). */
  subjectAlreadyErased: boolean().notNull(),
  startedAt: timestamptz().notNull(),
  /** Runs of the erasure so far, retries included. */
  attempts: integer().notNull().default(0),
  templates: integer().notNull().default(0),
  enrolmentPhotos: integer().notNull().default(0),
  photoFiles: integer().notNull().default(0),
  enrolments: integer().notNull().default(0),
  recognitionEvents: integer().notNull().default(0),
  consentsWithdrawn: integer().notNull().default(0),
  /** Sites whose galleries held deleted templates: their inference caches are invalidated. */
  siteIds: uuid().array().notNull().default(sql`'{}'::uuid[]`),
  modelIds: text().array().notNull().default(sql`'{}'::text[]`),
  /** Storage keys of the removed photo files (hashes of ciphertext), for the residual scan. */
  photoKeys: text().array().notNull().default(sql`'{}'::text[]`),
  completedAt: timestamptz(),
});

/** Personal-information impact assessments (PIPIA, CN-FR-08); kept at least 3 years. */
export const assessments = pgTable(
  "assessments",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: siteReference("restrict"),
    kind: assessmentKind().notNull().default("pipia"),
    scope: text().notNull(),
    approver: text().notNull(),
    documentSha256: text().notNull(),
    /** The uploaded assessment document in the file store (its sha256 is `documentSha256`); null when only the hash was given. */
    documentPath: text(),
    documentName: text(),
    completedAt: timestamptz().notNull(),
    nextReviewAt: timestamptz(),
    createdAt: createdAt(),
  },
  (table) => [index().on(table.siteId, table.completedAt)],
);

/** Filings with the provincial cyberspace office (CN-FR-15). */
export const filings = pgTable(
  "filings",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    thresholdReachedAt: timestamptz(),
    filedAt: timestamptz(),
    authority: text(),
    reference: text(),
    deregisteredAt: timestamptz(),
    createdAt: createdAt(),
  },
  (table) => [index().on(table.orgId)],
);

/**
 * Snapshot sums per region code and day (Shanghai), so a regulator's year-long trend reads a few
 * thousand rows instead of every snapshot. Kept by storeComplianceSnapshots, by the snapshot's
 * own region: a site that moves later leaves its earlier days where they were.
 */
export const complianceDailyRegions = pgTable(
  "compliance_daily_regions",
  {
    regionCode: text().notNull(),
    day: date({ mode: "string" }).notNull(),
    snapshots: integer().notNull(),
    scoreSum: real().notNull(),
    signageSum: real().notNull().default(0),
    signageCount: integer().notNull().default(0),
    consentSum: real().notNull().default(0),
    consentCount: integer().notNull().default(0),
    alternativesSum: real().notNull().default(0),
    alternativesCount: integer().notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.regionCode, table.day] })],
);

export const complianceSnapshots = pgTable(
  "compliance_snapshots",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: siteReference(),
    /** The site's region code when taken: trends and regulators follow it, not the site's region now. */
    regionCode: text().notNull(),
    at: timestamptz().notNull().defaultNow(),
    score: real().notNull(),
    coverage: jsonb().notNull().default(sql`'{}'::jsonb`),
    findings: jsonb().notNull().default(sql`'[]'::jsonb`),
    /** The organisation's newest audit entry when taken: a newer one means the facts changed since. */
    auditLogId: bigint({ mode: "number" }),
  },
  (table) => [
    index().on(table.siteId, table.at),
    index().on(table.orgId, table.at),
    index().on(table.regionCode, table.at),
  ],
);
