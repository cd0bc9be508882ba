import {
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  notificationPreferenceInput,
  notificationPreferencesOf,
  saveNotificationPreference,
  unreadCount,
} from "@consentry/core/notifications";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

/**
 * A member's own notifications in one organisation (issue #17.2): the bell, the list, and what
 * they want by mail. Every member (auditor and up) has them; each sees only their own, so another
 * member's notification, like another tenant's, is not found.
 */
export const notificationsRouter = router({
  /** Newest first, a page at a time, with the unread count. */
  list: orgProcedure("auditor")
    .input(z.object({ page: z.number().int().min(1).max(10_000).default(1), unreadOnly: z.boolean().default(false) }))
    .query(({ ctx, input }) => listNotifications(ctx.db, { orgId: ctx.org.id, userId: ctx.principal.userId }, input)),

  /** The bell's number. */
  unreadCount: orgProcedure("auditor").query(async ({ ctx }) => ({
    unread: await unreadCount(ctx.db, { orgId: ctx.org.id, userId: ctx.principal.userId }),
  })),

  /**
   * Marks one of the caller's notifications read; a colleague's answers `marked: false`, another
   * tenant's is not found. Not audited: it is the member's own inbox state.
   */
  markRead: orgProcedure("auditor")
    .input(z.object({ notificationId: z.uuid() }))
    .mutation(({ ctx, input }) =>
      markNotificationRead(ctx.db, { orgId: ctx.org.id, userId: ctx.principal.userId }, input.notificationId),
    ),

  /** Marks all of the caller's notifications in this organisation read. */
  markAllRead: orgProcedure("auditor").mutation(({ ctx }) =>
    markAllNotificationsRead(ctx.db, { orgId: ctx.org.id, userId: ctx.principal.userId }),
  ),

  /** The caller's choice per kind (in the bell, by mail at once or daily, one site only), with the sites. */
  preferences: orgProcedure("auditor").query(({ ctx }) =>
    notificationPreferencesOf(ctx.db, { orgId: ctx.org.id, userId: ctx.principal.userId, role: ctx.org.role }),
  ),

  /** Stores the caller's choice for one kind (audited); another organisation's site is not found. */
  savePreference: orgProcedure("auditor")
    .input(notificationPreferenceInput)
    .mutation(({ ctx, input }) =>
      saveNotificationPreference(
        { db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, userId: ctx.principal.userId, role: ctx.org.role },
        input,
      ),
    ),
});
