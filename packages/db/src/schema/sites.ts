import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  real,
  text,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, timestamptz, updatedAt } from "./columns";
import { alternativeMethod, cameraLocationType, cameraStatus, entryPurpose, siteKind } from "./enums";
import { orgReference } from "./organizations";

export const sites = pgTable(
  "sites",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    /** Short public code printed on signs; data subjects use it in the portal. */
    code: text().notNull().unique(),
    name: text().notNull(),
    address: text().notNull(),
    /** Administrative-division code (GB/T 2260), e.g. 310104; regulators are scoped by it. */
    regionCode: text().notNull(),
    kind: siteKind().notNull(),
    templateRetentionDays: integer().notNull().default(365),
    /** Recognition events carry a snapshot with every other face blurred (off unless the site opts in). */
    eventSnapshots: boolean().notNull().default(false),
    /** Last change that alters face-recognition processing here; a PIPIA older than it is stale (CN-FR-08). */
    lastMaterialChangeAt: timestamptz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    archivedAt: timestamptz(),
  },
  (table) => [
    index().on(table.orgId, table.archivedAt, table.name),
    // The fleet list sorted by site: sites in (name, id) order, cameras of each after (list-cameras.ts).
    index().on(table.orgId, table.name, table.id),
    index().on(table.regionCode),
    // Two active sites of one organisation may not share a name; archived ones may.
    uniqueIndex("sites_org_active_name_unique")
      .on(table.orgId, sql`lower(${table.name})`)
      .where(sql`${table.archivedAt} is null`),
  ],
);

/** A column that references a site; `onDelete` says whether removing the site takes the row along. */
export const siteReference = (onDelete: "cascade" | "restrict" = "cascade") =>
  uuid()
    .notNull()
    .references(() => sites.id, { onDelete });

export const entryPoints = pgTable(
  "entry_points",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: siteReference(),
    name: text().notNull(),
    purpose: entryPurpose(),
    necessityNote: text(),
    faceRecognition: boolean().notNull().default(false),
    /** Face is pre-selected rather than offered beside the alternatives (CN-FR-11). */
    faceIsDefault: boolean().notNull().default(false),
    isPublicPlace: boolean().notNull().default(false),
    /** How the capture area is limited (public-security face recognition in a public place, CN-FR-12). */
    captureAreaNote: text(),
    alternatives: alternativeMethod().array().notNull().default(sql`'{}'::alternative_method[]`),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [index().on(table.siteId), index().on(table.orgId)],
);

export const cameras = pgTable(
  "cameras",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: siteReference("restrict"),
    entryPointId: uuid().references(() => entryPoints.id, { onDelete: "set null" }),
    name: text().notNull(),
    /** Full RTSP URL, credentials included, envelope-encrypted (packages/crypto). */
    rtspUrlEnc: text().notNull(),
    /** The same URL with the password replaced by ***, safe to show and log. */
    rtspUrlMasked: text().notNull(),
    /** Master key the URL is encrypted under, so rotation can find what is left on an old key. */
    rtspKeyId: text(),
    /**
     * sha256 of the normalised URL without credentials (packages/network, cameraUrlFingerprint):
     * one camera belongs to one organisation. Filled by the app on every write; rows from before
     * migration 0007 stay null (SQL cannot decrypt the URL) until their URL is next saved.
     */
    rtspUrlFingerprint: text(),
    locationType: cameraLocationType().notNull(),
    frEnabled: boolean().notNull().default(false),
    analysisFps: real().notNull().default(5),
    status: cameraStatus().notNull().default("unknown"),
    lastSeenAt: timestamptz(),
    lastProbedAt: timestamptz(),
    probeCodec: text(),
    probeWidth: integer(),
    probeHeight: integer(),
    probeFps: real(),
    probeLatencyMs: integer(),
    disabledAt: timestamptz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (table) => [
    // Keyset pagination of the fleet list (packages/core/src/cameras/list-cameras.ts): each sort key
    // with the id after it, so a page starts where the last ended without sorting the fleet.
    // `last_seen_at` has none on purpose: the probe rewrites it every few minutes per camera, and an
    // index on it would turn each of those updates into a write of every index (no HOT update).
    index().on(table.orgId, table.name, table.id),
    index().on(table.orgId, table.siteId),
    index().on(table.orgId, table.status, table.id),
    // Substring search of camera names (ILIKE '%…%') without reading the whole fleet.
    index("cameras_name_trgm_index").using("gin", table.name.op("gin_trgm_ops")),
    index().on(table.entryPointId),
    uniqueIndex("cameras_rtsp_url_fingerprint_unique").on(table.rtspUrlFingerprint),
  ],
);

/** Every change of a camera's health status, as the probes saw it. */
export const cameraStatusEvents = pgTable(
  "camera_status_events",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    cameraId: uuid()
      .notNull()
      .references(() => cameras.id, { onDelete: "cascade" }),
    at: timestamptz().notNull().defaultNow(),
    status: cameraStatus().notNull(),
    /** Why, in a few words (never a URL or credentials). */
    detail: text(),
    probeLatencyMs: integer(),
  },
  (table) => [index().on(table.cameraId, table.at)],
);

export const signs = pgTable(
  "signs",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: siteReference(),
    location: text().notNull(),
    text: text().notNull(),
    languages: text().array().notNull().default(sql`'{}'::text[]`),
    evidencePhotoPath: text(),
    evidenceSha256: text(),
    installedAt: timestamptz().notNull(),
    verifiedAt: timestamptz(),
    createdAt: createdAt(),
  },
  (table) => [index().on(table.siteId)],
);

export const signCameras = pgTable(
  "sign_cameras",
  {
    signId: uuid()
      .notNull()
      .references(() => signs.id, { onDelete: "cascade" }),
    cameraId: uuid()
      .notNull()
      .references(() => cameras.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.signId, table.cameraId] }), index().on(table.cameraId)],
);

export const signEntryPoints = pgTable(
  "sign_entry_points",
  {
    signId: uuid()
      .notNull()
      .references(() => signs.id, { onDelete: "cascade" }),
    entryPointId: uuid()
      .notNull()
      .references(() => entryPoints.id, { onDelete: "cascade" }),
  },
  (table) => [primaryKey({ columns: [table.signId, table.entryPointId] }), index().on(table.entryPointId)],
);
