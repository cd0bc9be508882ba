import { pgEnum } from "drizzle-orm/pg-core";
import {
  CAMERA_LOCATION_TYPES,
  CAMERA_STATUSES,
  NOTIFICATION_EMAIL_MODES,
  NOTIFICATION_KINDS,
  REQUEST_STATUSES,
  REQUEST_TYPES,
  SITE_KINDS,
  VIDEO_ACCESS_REASONS,
} from "../values";

export const membershipRole = pgEnum("membership_role", ["owner", "manager", "operator", "auditor"]);
export const jurisdictionProfile = pgEnum("jurisdiction_profile", ["CN", "EU", "US-IL"]);
export const siteKind = pgEnum("site_kind", SITE_KINDS);
export const entryPurpose = pgEnum("entry_purpose", [
  "entry_verification",
  "check_in",
  "payment",
  "monitoring",
  "public_security",
]);
export const alternativeMethod = pgEnum("alternative_method", [
  "key_card",
  "pin",
  "qr",
  "staff_check",
  "id_document",
  "other",
]);
export const cameraLocationType = pgEnum("camera_location_type", CAMERA_LOCATION_TYPES);
export const cameraStatus = pgEnum("camera_status", CAMERA_STATUSES);
export const consentScope = pgEnum("consent_scope", ["recognition", "central_storage", "transfer"]);
export const consentMethod = pgEnum("consent_method", ["written", "electronic"]);
export const templateStorage = pgEnum("template_storage", ["device", "central"]);
export const requestType = pgEnum("request_type", REQUEST_TYPES);
export const requestStatus = pgEnum("request_status", REQUEST_STATUSES);
export const assessmentKind = pgEnum("assessment_kind", ["pipia"]);
export const enrolmentStatus = pgEnum("enrolment_status", ["queued", "processing", "done", "failed"]);
export const enrolmentPhotoStatus = pgEnum("enrolment_photo_status", ["pending", "accepted", "rejected"]);
export const videoAccessReason = pgEnum("video_access_reason", VIDEO_ACCESS_REASONS);
export const notificationKind = pgEnum("notification_kind", NOTIFICATION_KINDS);
export const notificationEmailMode = pgEnum("notification_email_mode", NOTIFICATION_EMAIL_MODES);
