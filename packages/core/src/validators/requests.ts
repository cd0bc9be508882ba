import { z } from "zod";
import { text } from "./common";

/** At least this much of a reason when staff link a person whose contact does not match. */
export const LINK_OVERRIDE_MIN = 10;

export const linkSubjectFields = z.object({
  pseudonym: text().trim().min(1).max(40),
  /** Given only when the person's stored contact differs from the verified requester's (or is missing). */
  overrideReason: text().trim().min(LINK_OVERRIDE_MIN).max(2000).optional(),
});
