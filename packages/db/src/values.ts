// The value lists behind the database enums, free of imports so browser code can use them too.

export const SITE_KINDS = ["residential", "hotel", "office", "retail", "other"] as const;

export const PUBLIC_LOCATION_TYPES = [
  "entrance",
  "lobby",
  "corridor",
  "parking",
  "elevator",
  "perimeter",
  "reception",
  "checkout",
  "public_area",
] as const;
/** Private spaces of public venues: no camera at all (CN-CAM-01), no face recognition (CN-FR-13). */
export const PRIVATE_LOCATION_TYPES = [
  "hotel_room",
  "public_bath",
  "changing_room",
  "public_toilet",
  "fitting_room",
  "nursing_room",
  "dormitory_room",
  "staff_rest_room",
] as const;
export const CAMERA_LOCATION_TYPES = [...PUBLIC_LOCATION_TYPES, ...PRIVATE_LOCATION_TYPES] as const;

export const CAMERA_STATUSES = ["unknown", "online", "degraded", "offline", "auth_failed", "unreachable"] as const;

/** Why someone opened a camera's live view (the video-access register). "other" needs a note. */
export const VIDEO_ACCESS_REASONS = [
  "security_incident",
  "safety_check",
  "maintenance",
  "complaint",
  "authority_request",
  "other",
] as const;
export type VideoAccessReason = (typeof VIDEO_ACCESS_REASONS)[number];

export const REQUEST_TYPES = ["deletion", "access", "withdrawal", "correction"] as const;
/** A request is `pending_verification` until the requester proves their email; staff see the rest. */
export const REQUEST_STATUSES = [
  "pending_verification",
  "open",
  "in_progress",
  "approved",
  "refused",
  "completed",
] as const;

/** What members are notified of (issue #17.2): in the app, and by mail as each member chooses. */
export const NOTIFICATION_KINDS = [
  "camera_offline",
  "camera_online",
  "request_received",
  "request_due_soon",
  "request_overdue",
  "finding_critical",
  "filing_threshold",
  "retention_failed",
  "erasure_failed",
  "recapture_needed",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
/** How a member wants a kind by mail: not at all, at once (batched per event), or in the daily digest. */
export const NOTIFICATION_EMAIL_MODES = ["off", "instant", "daily"] as const;
export type NotificationEmailMode = (typeof NOTIFICATION_EMAIL_MODES)[number];
