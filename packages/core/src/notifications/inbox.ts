import { and, count, desc, type Executor, eq, isNull, type SQL, schema, sql } from "@consentry/db";
import { alias } from "drizzle-orm/pg-core";
import { notFound } from "../errors";
import { type NotificationKind, notificationHref } from "./kinds";
import type { NotificationParams } from "./notify";

const { notificationPreferences, notifications } = schema;

/** A member's choice for the notification's site, and for all sites (the list hides what they turned off). */
const forSite = alias(notificationPreferences, "pref_site");
const forAll = alias(notificationPreferences, "pref_all");

/** How both choices join onto `notifications` (the site's row wins; without either, the bell is on). */
const choiceJoins = {
  site: and(
    eq(forSite.userId, notifications.userId),
    eq(forSite.orgId, notifications.orgId),
    eq(forSite.kind, notifications.kind),
    eq(forSite.siteId, notifications.siteId),
  ),
  all: and(
    eq(forAll.userId, notifications.userId),
    eq(forAll.orgId, notifications.orgId),
    eq(forAll.kind, notifications.kind),
    isNull(forAll.siteId),
  ),
};
/** SQL: the member wants this notification in the bell now. */
const shownInApp = sql`coalesce(${forSite.inApp}, ${forAll.inApp}, true)`;

const mine = (orgId: string, userId: string, ...more: (SQL | undefined)[]) =>
  and(eq(notifications.orgId, orgId), eq(notifications.userId, userId), shownInApp, ...more);

export const NOTIFICATIONS_PAGE_SIZE = 20;

export type InboxItem = {
  id: string;
  kind: NotificationKind;
  siteId: string | null;
  targetType: string;
  targetId: string | null;
  params: NotificationParams;
  createdAt: Date;
  readAt: Date | null;
  /** The dashboard page it opens. */
  href: string;
};

/** The member's notifications in this organisation, newest first, a page at a time, with the unread count. */
export async function listNotifications(
  db: Executor,
  who: { orgId: string; userId: string },
  options: { page?: number; unreadOnly?: boolean; pageSize?: number } = {},
) {
  const pageSize = options.pageSize ?? NOTIFICATIONS_PAGE_SIZE;
  const page = Math.max(1, options.page ?? 1);
  const where = mine(who.orgId, who.userId, options.unreadOnly ? isNull(notifications.readAt) : undefined);
  const [rows, [totals]] = await Promise.all([
    db
      .select({
        id: notifications.id,
        kind: notifications.kind,
        siteId: notifications.siteId,
        targetType: notifications.targetType,
        targetId: notifications.targetId,
        params: notifications.params,
        createdAt: notifications.createdAt,
        readAt: notifications.readAt,
      })
      .from(notifications)
      .leftJoin(forSite, choiceJoins.site)
      .leftJoin(forAll, choiceJoins.all)
      .where(where)
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(pageSize)
      .offset((page - 1) * pageSize),
    db
      .select({
        total: count(),
        unread: sql<number>`count(*) filter (where ${notifications.readAt} is null)::int`,
      })
      .from(notifications)
      .leftJoin(forSite, choiceJoins.site)
      .leftJoin(forAll, choiceJoins.all)
      .where(mine(who.orgId, who.userId)),
  ]);
  const unread = Number(totals?.unread ?? 0);
  return {
    items: rows.map(
      (row): InboxItem => ({ ...row, params: row.params as NotificationParams, href: notificationHref(row) }),
    ),
    page,
    pageSize,
    total: options.unreadOnly ? unread : Number(totals?.total ?? 0),
    unread,
  };
}

/** The bell's number: unread notifications the member wants in the bell. */
export async function unreadCount(db: Executor, who: { orgId: string; userId: string }): Promise<number> {
  const [row] = await db
    .select({ unread: count() })
    .from(notifications)
    .leftJoin(forSite, choiceJoins.site)
    .leftJoin(forAll, choiceJoins.all)
    .where(mine(who.orgId, who.userId, isNull(notifications.readAt)));
  return Number(row?.unread ?? 0);
}

/**
 * Marks one of the member's own notifications read (again: keeps the first time). Another
 * member's notification in the organisation changes nothing and answers `marked: false` (as
 * another user's session does for profile.revokeSession); one of another organisation, or none,
 * is not found.
 */
export async function markNotificationRead(
  db: Executor,
  who: { orgId: string; userId: string },
  notificationId: string,
): Promise<{ marked: boolean; readAt: Date | null }> {
  const [row] = await db
    .update(notifications)
    .set({ readAt: sql`coalesce(${notifications.readAt}, now())` })
    .where(
      and(
        eq(notifications.id, notificationId),
        eq(notifications.orgId, who.orgId),
        eq(notifications.userId, who.userId),
      ),
    )
    .returning({ readAt: notifications.readAt });
  if (row) return { marked: true, readAt: row.readAt };
  const [inOrganization] = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.id, notificationId), eq(notifications.orgId, who.orgId)));
  if (!inOrganization) notFound("Notification");
  return { marked: false, readAt: null };
}

/** Marks every unread notification of the member in this organisation read; returns how many. */
export async function markAllNotificationsRead(db: Executor, who: { orgId: string; userId: string }) {
  const rows = await db
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(and(eq(notifications.orgId, who.orgId), eq(notifications.userId, who.userId), isNull(notifications.readAt)))
    .returning({ id: notifications.id });
  return { marked: rows.length };
}
