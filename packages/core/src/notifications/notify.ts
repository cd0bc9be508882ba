import { and, type Executor, eq, inArray, isNull, or, schema } from "@consentry/db";
import {
  effectivePreference,
  mayReceive,
  type NotificationEmailMode,
  type NotificationKind,
  type NotificationTarget,
} from "./kinds";

const { memberships, notificationPreferences, notifications } = schema;

/**
 * What a notification's text is made of: names of cameras and sites, a request's reference,
 * counts and ISO dates. Never a data subject's name or contact (notifications outlive erasures).
 */
export type NotificationParams = Record<string, string | number | null>;

/** One event, for every member of its organisation who wants it. */
export type NotificationEvent = {
  orgId: string;
  kind: NotificationKind;
  /** Where it happened; null for the organisation as a whole. */
  siteId: string | null;
  targetType: NotificationTarget;
  targetId: string | null;
  params: NotificationParams;
  /**
   * Names the event (one camera outage, one request overdue): each member gets it once, however
   * often a probe or sweep sees it. Ids are unique installation-wide; organisation-wide events
   * carry the organisation's id.
   */
  dedupeKey: string;
};

/** A notification just created, with how its member wants it by mail (instant ones go out at once). */
export type CreatedNotification = { id: string; orgId: string; userId: string; email: NotificationEmailMode };

/**
 * Creates the event's notification for each active member of its organisation allowed to see
 * it whose choice (or default) wants it in the bell or by mail. Idempotent: a member who has it
 * already (same dedupe key) is skipped, and only new rows are returned, so a caller queues
 * their mail exactly once.
 */
export async function createNotifications(db: Executor, event: NotificationEvent): Promise<CreatedNotification[]> {
  const members = (
    await db
      .select({ userId: memberships.userId, role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.orgId, event.orgId), isNull(memberships.deactivatedAt)))
  ).filter((member) => mayReceive(member.role, event.kind));
  if (members.length === 0) return [];
  const stored = await db
    .select({
      userId: notificationPreferences.userId,
      siteId: notificationPreferences.siteId,
      inApp: notificationPreferences.inApp,
      email: notificationPreferences.email,
    })
    .from(notificationPreferences)
    .where(
      and(
        eq(notificationPreferences.orgId, event.orgId),
        eq(notificationPreferences.kind, event.kind),
        inArray(
          notificationPreferences.userId,
          members.map((member) => member.userId),
        ),
        event.siteId
          ? or(isNull(notificationPreferences.siteId), eq(notificationPreferences.siteId, event.siteId))
          : isNull(notificationPreferences.siteId),
      ),
    );
  const wanted = members
    .map((member) => ({
      userId: member.userId,
      ...effectivePreference(
        member.role,
        stored.filter((row) => row.userId === member.userId),
        event.siteId,
      ),
    }))
    .filter((member) => member.inApp || member.email !== "off");
  if (wanted.length === 0) return [];
  const rows = await db
    .insert(notifications)
    .values(
      wanted.map((member) => ({
        orgId: event.orgId,
        userId: member.userId,
        kind: event.kind,
        siteId: event.siteId,
        targetType: event.targetType,
        targetId: event.targetId,
        params: event.params,
        dedupeKey: event.dedupeKey,
      })),
    )
    .onConflictDoNothing()
    .returning({ id: notifications.id, userId: notifications.userId });
  const modes = new Map(wanted.map((member) => [member.userId, member.email]));
  return rows.map((row) => ({
    id: row.id,
    orgId: event.orgId,
    userId: row.userId,
    email: modes.get(row.userId) ?? "off",
  }));
}

/** Whether anyone in the organisation was given this event (a "back online" needs its "offline"). */
export async function wasNotified(db: Executor, orgId: string, dedupeKey: string): Promise<boolean> {
  const [row] = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(and(eq(notifications.orgId, orgId), eq(notifications.dedupeKey, dedupeKey)))
    .limit(1);
  return row !== undefined;
}

/** The members whose new notifications want mail at once: one mail job each. */
export const instantRecipients = (created: readonly CreatedNotification[]) => {
  const seen = new Map<string, { orgId: string; userId: string }>();
  for (const row of created) {
    if (row.email === "instant") seen.set(`${row.orgId}:${row.userId}`, { orgId: row.orgId, userId: row.userId });
  }
  return [...seen.values()];
};
