import { normaliseEmail } from "../portal/services";
import type { RequestContact } from "./show-contact";

/** How a person's stored contact compares with the contact a portal requester verified. */
export type ContactCheck = "match" | "mismatch" | "none";

/**
 * Only the email address is verified (by the portal's one-time code); a phone number the
 * requester typed proves nothing, so a person stored with a phone number never matches.
 */
export function checkContact(stored: string | null, requester: Pick<RequestContact, "email">): ContactCheck {
  const contact = stored?.trim();
  if (!contact) return "none";
  return normaliseEmail(contact) === normaliseEmail(requester.email) ? "match" : "mismatch";
}
