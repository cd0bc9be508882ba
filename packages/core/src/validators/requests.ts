import { REQUEST_STATUSES, REQUEST_TYPES } from "@consentry/db/values";
import { z } from "zod";
import { pageInput, text } from "./common";

/** At least this much of a reason when staff link a person whose contact does not match. */
export const LINK_OVERRIDE_MIN = 10;

export const linkSubjectFields = z.object({
  pseudonym: text().trim().min(1).max(40),
  /** Given only when the person's stored contact differs from the verified requester's (or is missing). */
  overrideReason: text().trim().min(LINK_OVERRIDE_MIN).max(2000).optional(),
});

/** A refusal's reason, which the requester reads on their status page (CN-PI-06). */
export const REFUSAL_REASON_MIN = 10;
export const refusalReason = text().trim().min(REFUSAL_REASON_MIN).max(2000);

/** The statuses staff see: every one after the requester verified their email. */
export const staffRequestStatus = z.enum(REQUEST_STATUSES).exclude(["pending_verification"]);
export const STAFF_REQUEST_STATUSES = staffRequestStatus.options;

export const requestListFilter = pageInput.extend({
  status: staffRequestStatus.optional(),
  type: z.enum(REQUEST_TYPES).optional(),
  siteId: z.uuid().optional(),
  /** Only open requests whose deadline has passed. */
  overdue: z.boolean().optional(),
});
