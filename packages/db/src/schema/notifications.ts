import { boolean, index, jsonb, pgTable, text, unique, uuid } from "drizzle-orm/pg-core";
import { users } from "./auth";
import { createdAt, timestamptz, updatedAt } from "./columns";
import { notificationEmailMode, notificationKind } from "./enums";
import { orgReference } from "./organizations";
import { sites } from "./sites";

/**
 * A member's notifications (the bell), one row per member and event. `dedupeKey` names the event
 * (e.g. one camera outage), so a retried or repeated job never notifies twice. `params` holds what
 * the text needs (camera and site names, a request's reference, counts), never a data subject's
 * name or contact.
 */
export const notifications = pgTable(
  "notifications",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: notificationKind().notNull(),
    siteId: uuid().references(() => sites.id, { onDelete: "cascade" }),
    /** What the notification links to: `camera`, `request`, `site`, `finding`, `retention_run`, … */
    targetType: text().notNull(),
    targetId: text(),
    params: jsonb().notNull().default({}),
    dedupeKey: text().notNull(),
    createdAt: createdAt(),
    readAt: timestamptz(),
    /** When it went out by mail (at once or in a digest); null while waiting or when not mailed. */
    emailedAt: timestamptz(),
  },
  (table) => [unique().on(table.userId, table.dedupeKey), index().on(table.userId, table.createdAt)],
);

/**
 * A member's choice per kind, for one site or (siteId null) all of them. Without a row the
 * defaults apply: owners and managers get mail at once, other roles only the bell.
 */
export const notificationPreferences = pgTable(
  "notification_preferences",
  {
    id: uuid().primaryKey().defaultRandom(),
    orgId: orgReference(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: notificationKind().notNull(),
    siteId: uuid().references(() => sites.id, { onDelete: "cascade" }),
    inApp: boolean().notNull().default(true),
    email: notificationEmailMode().notNull(),
    updatedAt: updatedAt(),
  },
  (table) => [unique().on(table.userId, table.orgId, table.kind, table.siteId).nullsNotDistinct()],
);
