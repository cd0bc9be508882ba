import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, timestamptz } from "./columns";
import {
  consentMethod,
  consentScope,
  enrolmentPhotoStatus,
  enrolmentStatus,
  entryPurpose,
  templateStorage,
} from "./enums";
import { orgReference } from "./organizations";
import { cameras, siteReference, sites } from "./sites";

/** A person known to an organisation, under a pseudonym; name and contact are encrypted. */
export const subjects = pgTable(
  "subjects",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    pseudonym: text().notNull(),
    displayNameEnc: text(),
    contactEnc: text(),
    isMinor: boolean().notNull().default(false),
    birthYear: integer(),
    createdAt: createdAt(),
    erasedAt: timestamptz(),
  },
  (table) => [uniqueIndex().on(table.orgId, table.pseudonym)],
);

/** Versioned privacy notice per site, with the fields CN-FR-03 requires. */
export const notices = pgTable(
  "notices",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: siteReference(),
    version: integer().notNull(),
    controller: text().notNull(),
    purpose: text().notNull(),
    method: text().notNull(),
    retention: text().notNull(),
    rights: text().notNull(),
    contact: text().notNull(),
    publishedAt: timestamptz().notNull().defaultNow(),
  },
  (table) => [uniqueIndex().on(table.siteId, table.version)],
);

export const consents = pgTable(
  "consents",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    subjectId: uuid()
      .notNull()
      .references(() => subjects.id, { onDelete: "cascade" }),
    siteId: siteReference(),
    purpose: entryPurpose().notNull(),
    scopes: consentScope().array().notNull().default(sql`'{recognition}'::consent_scope[]`),
    method: consentMethod().notNull(),
    /** Given separately from other terms (CN-FR-04); bundled consent is not valid consent. */
    isSeparate: boolean().notNull().default(true),
    isBundled: boolean().notNull().default(false),
    noticeId: uuid().references(() => notices.id, { onDelete: "set null" }),
    evidenceSha256: text(),
    /** For subjects under 14 (CN-FR-05): who consented on their behalf. */
    guardianNameEnc: text(),
    guardianRelation: text(),
    guardianConsentAt: timestamptz(),
    givenAt: timestamptz().notNull(),
    withdrawnAt: timestamptz(),
    withdrawalReason: text(),
    /** Issued once the face data under this consent is deleted after its withdrawal (CN-PI-03). */
    withdrawalCertificate: jsonb(),
    withdrawalCertificateSha256: text(),
    createdAt: createdAt(),
  },
  (table) => [index().on(table.subjectId), index().on(table.siteId, table.withdrawnAt), index().on(table.orgId)],
);

/** Face embeddings, encrypted; kept only while a consent covering them is active. */
export const faceTemplates = pgTable(
  "face_templates",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    subjectId: uuid()
      .notNull()
      .references(() => subjects.id, { onDelete: "cascade" }),
    siteId: siteReference(),
    consentId: uuid().references(() => consents.id, { onDelete: "set null" }),
    modelId: text().notNull(),
    modelVersion: text().notNull(),
    embeddingEnc: text().notNull(),
    storage: templateStorage().notNull().default("central"),
    createdAt: createdAt(),
    lastUsedAt: timestamptz(),
    deletionQueuedAt: timestamptz(),
    /**
     * Made by an older embedding model and no enrolment photo was kept to re-embed it from: the
     * person needs a new photo (the gallery only compares templates of the current model).
     */
    recaptureNeededAt: timestamptz(),
  },
  (table) => [index().on(table.subjectId), index().on(table.siteId), index().on(table.orgId)],
);

/** Matches of consenting subjects only. Unknown faces never get a row (see unknownFaceCounts). */
export const recognitionEvents = pgTable(
  "recognition_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    orgId: orgReference(),
    siteId: uuid().references(() => sites.id, { onDelete: "cascade" }),
    cameraId: uuid()
      .notNull()
      .references(() => cameras.id, { onDelete: "cascade" }),
    subjectId: uuid().references(() => subjects.id, { onDelete: "set null" }),
    templateId: uuid().references(() => faceTemplates.id, { onDelete: "set null" }),
    /** The embedding model that produced the match (never compared across models). */
    modelId: text(),
    /** The visit's first sighting; later sightings of the same person at the camera extend it (a track). */
    at: timestamptz().notNull(),
    /** The visit's last sighting; equal to `at` for a single one. */
    lastSeenAt: timestamptz(),
    sightings: integer().notNull().default(1),
    /** Best score of the visit. */
    score: real().notNull(),
    /**
     * A snapshot in which every face but the recognised person's was blurred before storing
     * (sites opt in), encrypted in the file store; deleted with the event.
     */
    snapshotPath: text(),
  },
  (table) => [
    index().on(table.cameraId, table.at),
    index().on(table.subjectId),
    index().on(table.siteId, table.at),
    // Deleting a template nulls its events' template_id: without this, a table scan each time.
    index().on(table.templateId),
  ],
);

/**
 * A manager's request to enrol a consenting person from photos. The photos are stored
 * encrypted; the `enrollment` job turns each into a template or rejects it with a reason.
 */
export const enrolments = pgTable(
  "enrolments",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    subjectId: uuid()
      .notNull()
      .references(() => subjects.id, { onDelete: "cascade" }),
    siteId: siteReference(),
    consentId: uuid().references(() => consents.id, { onDelete: "set null" }),
    status: enrolmentStatus().notNull().default("queued"),
    /** Why the whole enrolment failed (consent gone, no usable photo); per-photo reasons are on the photos. */
    failureReason: text(),
    /**
     * What became of each uploaded photo, by upload position ("accepted", "noFace", "severalFaces",
     * "unreadable", or "pending" until decided): the photo rows are deleted once decided.
     */
    photoOutcomes: text().array().notNull().default(sql`'{}'::text[]`),
    /** Why the job stopped without writing templates: "subjectErased", "erasureInProgress" or "consentWithdrawn". */
    stoppedBecause: text(),
    createdAt: createdAt(),
    finishedAt: timestamptz(),
  },
  (table) => [index().on(table.subjectId), index().on(table.orgId, table.createdAt)],
);

export const enrolmentPhotos = pgTable(
  "enrolment_photos",
  {
    id: uuid().primaryKey().defaultRandom(),
    enrolmentId: uuid()
      .notNull()
      .references(() => enrolments.id, { onDelete: "cascade" }),
    subjectId: uuid()
      .notNull()
      .references(() => subjects.id, { onDelete: "cascade" }),
    /** Order of upload, from 0, so reasons are shown beside the right photo. */
    position: integer().notNull(),
    /** Key in the file store of the encrypted, metadata-free photo. */
    storageKey: text().notNull(),
    status: enrolmentPhotoStatus().notNull().default("pending"),
    /** noFace, severalFaces, unreadable: shown to the manager, translated. */
    rejectionReason: text(),
    templateId: uuid().references(() => faceTemplates.id, { onDelete: "set null" }),
  },
  (table) => [
    index().on(table.enrolmentId),
    index().on(table.subjectId),
    // Deleting a template nulls its photos' template_id, and deleting a file asks who else uses it:
    // without these, a table scan per deleted template or file.
    index().on(table.templateId),
    index().on(table.storageKey),
  ],
);

/** Per camera and minute, how many faces matched nobody: a count, never a face. */
export const unknownFaceCounts = pgTable(
  "unknown_face_counts",
  {
    cameraId: uuid()
      .notNull()
      .references(() => cameras.id, { onDelete: "cascade" }),
    minute: timestamptz().notNull(),
    count: integer().notNull(),
  },
  (table) => [primaryKey({ columns: [table.cameraId, table.minute] })],
);
