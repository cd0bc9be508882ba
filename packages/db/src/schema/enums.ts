import { pgEnum } from "drizzle-orm/pg-core";

export const membershipRole = pgEnum("membership_role", ["owner", "manager", "operator", "auditor"]);
export const jurisdictionProfile = pgEnum("jurisdiction_profile", ["CN", "EU", "US-IL"]);
export const siteKind = pgEnum("site_kind", ["residential", "hotel", "office", "retail", "other"]);
export const entryPurpose = pgEnum("entry_purpose", ["entry_verification", "check_in", "payment", "monitoring"]);
export const alternativeMethod = pgEnum("alternative_method", [
  "key_card",
  "pin",
  "qr",
  "staff_check",
  "id_document",
  "other",
]);
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
export const cameraLocationType = pgEnum("camera_location_type", [...PUBLIC_LOCATION_TYPES, ...PRIVATE_LOCATION_TYPES]);
export const cameraStatus = pgEnum("camera_status", [
  "unknown",
  "online",
  "degraded",
  "offline",
  "auth_failed",
  "unreachable",
]);
export const consentScope = pgEnum("consent_scope", ["recognition", "central_storage", "transfer"]);
export const consentMethod = pgEnum("consent_method", ["written", "electronic"]);
export const templateStorage = pgEnum("template_storage", ["device", "central"]);
export const requestType = pgEnum("request_type", ["deletion", "access", "withdrawal", "correction"]);
export const requestStatus = pgEnum("request_status", [
  "pending_verification",
  "open",
  "in_progress",
  "approved",
  "refused",
  "completed",
]);
export const assessmentKind = pgEnum("assessment_kind", ["pipia"]);
