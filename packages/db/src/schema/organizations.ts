import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, timestamptz } from "./columns";
import { jurisdictionProfile, membershipRole } from "./enums";

export const organizations = pgTable("organizations", {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  slug: text().notNull().unique(),
  jurisdictionProfile: jurisdictionProfile().notNull().default("CN"),
  /** Members without two-factor are sent to set it up before anything else. */
  requireTwoFactor: boolean().notNull().default(false),
  createdAt: createdAt(),
  archivedAt: timestamptz(),
});

export const memberships = pgTable(
  "memberships",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: uuid()
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    role: membershipRole().notNull(),
    createdAt: createdAt(),
    /** A deactivated member keeps the row (and can be reactivated) but has no access. */
    deactivatedAt: timestamptz(),
    deactivatedBy: text().references(() => users.id, { onDelete: "set null" }),
  },
  (table) => [uniqueIndex().on(table.orgId, table.userId), index().on(table.userId)],
);

/** Operators of the Consentry installation itself (organisations, users, workers, queues). */
export const platformAdmins = pgTable("platform_admins", {
  userId: text()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
});

/**
 * Regulator accounts: read-only, scoped to administrative-division codes (GB/T 2260).
 * "310000" covers all of Shanghai, "310100" a city, "310104" one district.
 */
export const regulators = pgTable(
  "regulators",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .unique()
      .references(() => users.id, { onDelete: "cascade" }),
    authority: text().notNull(),
    jurisdictionCodes: text().array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (table) => [index().using("gin", table.jurisdictionCodes)],
);

/** The owning organisation of a tenant row; organisations with data are never deleted. */
export const orgReference = () =>
  uuid()
    .notNull()
    .references(() => organizations.id, { onDelete: "restrict" });
