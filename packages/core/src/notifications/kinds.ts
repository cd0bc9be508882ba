import { type OrgRole, roleAtLeast } from "@consentry/auth/roles";
import {
  NOTIFICATION_EMAIL_MODES,
  NOTIFICATION_KINDS,
  type NotificationEmailMode,
  type NotificationKind,
} from "@consentry/db/values";

export { NOTIFICATION_EMAIL_MODES, NOTIFICATION_KINDS, type NotificationEmailMode, type NotificationKind };

/** What a notification links to; the web app turns each into a page (see `notificationHref`). */
export const NOTIFICATION_TARGETS = ["camera", "request", "finding", "filing", "retention_run", "recapture"] as const;
export type NotificationTarget = (typeof NOTIFICATION_TARGETS)[number];

/**
 * Who may receive each kind, and whether it happens at a site (a member may restrict it to one)
 * or to the organisation as a whole. Requests and their erasures go to operators and up, as the
 * Requests page does; everything else to every member (auditors read cameras and compliance).
 */
export const KIND_RULES: Record<NotificationKind, { minRole: OrgRole; scope: "site" | "organization" }> = {
  camera_offline: { minRole: "auditor", scope: "site" },
  camera_online: { minRole: "auditor", scope: "site" },
  request_received: { minRole: "operator", scope: "site" },
  request_due_soon: { minRole: "operator", scope: "site" },
  request_overdue: { minRole: "operator", scope: "site" },
  finding_critical: { minRole: "auditor", scope: "site" },
  filing_threshold: { minRole: "auditor", scope: "organization" },
  retention_failed: { minRole: "auditor", scope: "organization" },
  erasure_failed: { minRole: "operator", scope: "site" },
  recapture_needed: { minRole: "operator", scope: "site" },
};

export const mayReceive = (role: OrgRole, kind: NotificationKind) => roleAtLeast(role, KIND_RULES[kind].minRole);

export type Preference = { inApp: boolean; email: NotificationEmailMode };

/** Without a choice of their own: everyone sees the bell, owners and managers also get mail at once. */
export function defaultPreference(role: OrgRole): Preference {
  return { inApp: true, email: roleAtLeast(role, "manager") ? "instant" : "off" };
}

/** Roles whose default is mail at once (the SQL below spells the same rule). */
export const INSTANT_BY_DEFAULT: readonly OrgRole[] = ["owner", "manager"];

/**
 * A member's stored choice for one kind: `siteId` null applies to every site (and to the
 * organisation-wide kinds), a site's row overrides it there.
 */
export type StoredPreference = Preference & { siteId: string | null };

/** The choice that applies to an event at `siteId` (null: organisation-wide): site row, all-sites row, default. */
export function effectivePreference(role: OrgRole, stored: readonly StoredPreference[], siteId: string | null) {
  const forSite = siteId ? stored.find((row) => row.siteId === siteId) : undefined;
  const forAll = stored.find((row) => row.siteId === null);
  const chosen = forSite ?? forAll;
  return chosen ? { inApp: chosen.inApp, email: chosen.email } : defaultPreference(role);
}

/** The dashboard page a notification opens. */
export function notificationHref(notification: {
  targetType: string;
  targetId: string | null;
  siteId: string | null;
}): string {
  const { targetType, targetId, siteId } = notification;
  switch (targetType) {
    case "camera":
      return targetId ? `/cameras/${targetId}` : "/cameras";
    case "request":
      return targetId ? `/requests/${targetId}` : "/requests";
    case "finding":
      return siteId ? `/compliance/${siteId}` : "/compliance";
    case "filing":
      return "/compliance";
    case "retention_run":
      return siteId ? `/sites/${siteId}` : "/sites";
    case "recapture":
      return "/people?recapture=1";
    default:
      return "/notifications";
  }
}
