import { z } from "zod";
import { text } from "../validators/common";

export const MEMBER_ROLES = ["owner", "manager", "operator", "auditor"] as const;
export const memberRole = z.enum(MEMBER_ROLES);

/** An address as typed: trimmed and lower-cased, as invitations and users store it. */
export const emailField = text()
  .trim()
  .max(254)
  .pipe(z.email({ error: "email" }))
  .transform((value) => value.toLowerCase());

export const inviteFields = z.strictObject({ email: emailField, role: memberRole });

/** Better Auth user ids are text. */
export const memberUserId = text().min(1).max(200);

export const invitationToken = text().min(1).max(200);

export const acceptAsNewUserFields = z.strictObject({
  token: invitationToken,
  name: text().trim().min(1).max(120),
  // The policy (length, leaked lists, the address) is checked by passwordProblem; this only bounds it.
  password: text().min(1).max(1000),
});

export const memberListFields = z.strictObject({
  page: z.int().min(1).max(100_000).default(1),
  pageSize: z.int().min(1).max(100).default(25),
  role: memberRole.nullable().default(null),
  status: z.enum(["active", "deactivated"]).nullable().default(null),
});
