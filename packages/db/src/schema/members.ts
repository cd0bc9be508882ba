import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, timestamptz, updatedAt } from "./columns";
import { membershipRole, videoAccessReason } from "./enums";
import { organizations, orgReference } from "./organizations";
import { cameras, sites } from "./sites";

/**
 * Invitations to join an organisation. The link's token is never stored, only its sha256; a
 * resend replaces the hash (the old link stops working). One pending invitation per address
 * and organisation.
 */
export const invitations = pgTable(
  "invitations",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    /** Lower-case. */
    email: text().notNull(),
    role: membershipRole().notNull(),
    tokenHash: text().notNull().unique(),
    invitedBy: text().references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    sentAt: timestamptz().notNull().defaultNow(),
    sendCount: integer().notNull().default(1),
    expiresAt: timestamptz().notNull(),
    acceptedAt: timestamptz(),
    acceptedBy: text().references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamptz(),
  },
  (table) => [
    index().on(table.orgId, table.createdAt),
    uniqueIndex("invitations_pending_unique")
      .on(table.orgId, table.email)
      .where(sql`${table.acceptedAt} is null and ${table.revokedAt} is null`),
  ],
);

/** Better Auth's twoFactor plugin (TOTP secret and backup codes, both encrypted by Better Auth). */
export const twoFactors = pgTable(
  "two_factors",
  {
    id: text().primaryKey(),
    secret: text().notNull(),
    backupCodes: text().notNull(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    verified: boolean().default(true),
    failedVerificationCount: integer().default(0),
    lockedUntil: timestamptz(),
  },
  (table) => [index().on(table.userId)],
);

/**
 * An organisation's OIDC single sign-on. The client secret is envelope-encrypted
 * (packages/crypto, context "sso_connections.client_secret"). `roleMapping` maps a value of
 * `roleClaim` (a group, say) to a role; a user with no mapped value gets `defaultRole`, or is
 * refused when that is null.
 */
export const ssoConnections = pgTable("sso_connections", {
  orgId: uuid()
    .primaryKey()
    .references(() => organizations.id, { onDelete: "cascade" }),
  issuer: text().notNull(),
  clientId: text().notNull(),
  clientSecretEnc: text().notNull(),
  roleClaim: text().notNull().default("groups"),
  roleMapping: jsonb().$type<Record<string, "owner" | "manager" | "operator" | "auditor">>().notNull().default({}),
  defaultRole: membershipRole(),
  /** Members of the organisation must sign in through SSO (password sign-in refused). */
  required: boolean().notNull().default(false),
  enabled: boolean().notNull().default(true),
  lastError: text(),
  lastErrorAt: timestamptz(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Email domains routed to an organisation's SSO; a domain belongs to one organisation. */
export const ssoDomains = pgTable(
  "sso_domains",
  {
    domain: text().primaryKey(),
    orgId: uuid()
      .notNull()
      .references(() => ssoConnections.orgId, { onDelete: "cascade" }),
  },
  (table) => [index().on(table.orgId)],
);

/**
 * The video-access register: who watched which camera's live video, when and why. A row is
 * written when the ticket is issued; the gateway fills `startedAt` when the stream opens and
 * `endedAt` when the last frame was sent. Names are copied so the register outlives the camera.
 */
export const videoAccess = pgTable(
  "video_access",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    siteId: uuid().references(() => sites.id, { onDelete: "set null" }),
    cameraId: uuid().references(() => cameras.id, { onDelete: "set null" }),
    cameraName: text().notNull(),
    viewerUserId: text().references(() => users.id, { onDelete: "set null" }),
    viewerLabel: text().notNull(),
    reason: videoAccessReason().notNull(),
    reasonNote: text(),
    /** The live-view ticket's id (jti): the gateway finds the row by it. */
    ticketId: uuid().notNull().unique(),
    requestedAt: timestamptz().notNull().defaultNow(),
    startedAt: timestamptz(),
    endedAt: timestamptz(),
    endReason: text(),
  },
  (table) => [index().on(table.orgId, table.requestedAt), index().on(table.cameraId, table.requestedAt)],
);
