import { createHash, randomBytes } from "node:crypto";

/** How long an invitation link works (issue #16: 72 hours, once). */
export const INVITATION_HOURS = 72;

/** A fresh link token and the hash stored for it; the token itself is never stored. */
export function newInvitationToken() {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: hashInvitationToken(token) };
}

export const hashInvitationToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** The shape of a token we hand out: anything else is forged without a database look-up. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export const invitationExpiry = (from = new Date()) => new Date(from.getTime() + INVITATION_HOURS * 3600_000);
