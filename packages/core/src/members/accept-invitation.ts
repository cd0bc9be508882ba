import { createUserWithPassword, passwordProblem } from "@consentry/auth";
import { and, type Database, type Executor, eq, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import { type DomainError, fieldError } from "../errors";
import type { acceptAsNewUserFields } from "./fields";
import { hashInvitationToken, TOKEN_PATTERN } from "./tokens";

const { invitations, memberships, organizations, users } = schema;

export type InvitationState = "valid" | "expired" | "used" | "revoked" | "invalid";

/** Why a link no longer works, as the invite page says it (reason codes it translates). */
function linkError(state: Exclude<InvitationState, "valid">): DomainError {
  const messages = {
    expired: "This invitation has expired. Ask the person who invited you to send a new one.",
    used: "This invitation has already been accepted.",
    revoked: "This invitation was withdrawn. Ask the person who invited you for a new one.",
    invalid: "This invitation link is not valid. Ask the person who invited you for a new one.",
  };
  return fieldError("precondition", "token", `invitation_${state}`, messages[state]);
}

function stateOf(row: { acceptedAt: Date | null; revokedAt: Date | null; expiresAt: Date }): InvitationState {
  if (row.acceptedAt) return "used";
  if (row.revokedAt) return "revoked";
  if (row.expiresAt <= new Date()) return "expired";
  return "valid";
}

async function findByToken(db: Executor, token: string, lock: boolean) {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const query = db
    .select({
      invitation: invitations,
      orgName: organizations.name,
      inviterEmail: users.email,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.orgId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, hashInvitationToken(token)));
  const [row] = lock ? await query.for("update", { of: invitations }) : await query;
  return row;
}

/**
 * What the public invite page shows for a link: the organisation, role and address when the
 * link is ours (whatever its state, so the page can name who to ask), and whether the address
 * already has an account. A forged link learns nothing.
 */
export async function showInvitation(deps: { db: Database }, input: { token: string }) {
  const row = await findByToken(deps.db, input.token, false);
  if (!row) return { state: "invalid" as const };
  const [account] = await deps.db.select({ id: users.id }).from(users).where(eq(users.email, row.invitation.email));
  return {
    state: stateOf(row.invitation),
    organization: { id: row.invitation.orgId, name: row.orgName },
    role: row.invitation.role,
    email: row.invitation.email,
    invitedBy: row.inviterEmail,
    expiresAt: row.invitation.expiresAt,
    accountExists: Boolean(account),
  };
}

/** Locks the invitation by its token and checks it still works. */
async function lockValid(tx: Executor, token: string) {
  const row = await findByToken(tx, token, true);
  if (!row) throw linkError("invalid");
  const state = stateOf(row.invitation);
  if (state !== "valid") throw linkError(state);
  return row.invitation;
}

async function join(
  tx: Executor,
  invitation: typeof invitations.$inferSelect,
  user: { id: string; email: string },
  newAccount: boolean,
) {
  await tx.insert(memberships).values({ orgId: invitation.orgId, userId: user.id, role: invitation.role });
  await tx
    .update(invitations)
    .set({ acceptedAt: new Date(), acceptedBy: user.id })
    .where(eq(invitations.id, invitation.id));
  await writeAudit(tx, {
    actor: { userId: user.id, label: user.email },
    orgId: invitation.orgId,
    action: "member.join",
    targetType: "user",
    targetId: user.id,
    details: { invitationId: invitation.id, role: invitation.role, newAccount },
  });
  return { orgId: invitation.orgId, role: invitation.role, email: user.email };
}

/**
 * Someone without an account accepts: the account, the membership and the accepted invitation
 * are one transaction, so a failure leaves the link usable and no half-made user behind.
 */
export async function acceptAsNewUser(deps: { db: Database }, input: z.infer<typeof acceptAsNewUserFields>) {
  return deps.db.transaction(async (tx) => {
    const invitation = await lockValid(tx, input.token);
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, invitation.email));
    if (existing) {
      throw fieldError(
        "conflict",
        "token",
        "invitation_accountExists",
        "This address already has an account: sign in to accept.",
      );
    }
    const problem = passwordProblem(input.password, invitation.email);
    if (problem)
      throw fieldError("invalid", "password", `password_${problem}`, "The password does not meet the policy.");
    // createUserWithPassword opens a savepoint inside this transaction (drizzle nests them).
    const userId = await createUserWithPassword(tx as unknown as Database, {
      email: invitation.email,
      name: input.name,
      password: input.password,
    });
    return join(tx, invitation, { id: userId, email: invitation.email }, true);
  });
}

/** A signed-in user accepts an invitation to their own address and joins with the same account. */
export async function acceptAsSignedInUser(
  deps: { db: Database; user: { userId: string; email: string } },
  input: { token: string },
) {
  return deps.db.transaction(async (tx) => {
    const invitation = await lockValid(tx, input.token);
    // Told, not thrown: the page says whom it is for and offers to sign out (the caller may
    // accept invitations, just not someone else's).
    if (invitation.email !== deps.user.email.toLowerCase()) {
      return { joined: false as const, reason: "otherAddress" as const, invitedEmail: invitation.email };
    }
    const [member] = await tx
      .select({ deactivatedAt: memberships.deactivatedAt })
      .from(memberships)
      .where(and(eq(memberships.orgId, invitation.orgId), eq(memberships.userId, deps.user.userId)));
    if (member) {
      throw member.deactivatedAt
        ? fieldError(
            "refused",
            "token",
            "invitation_deactivated",
            "Your membership here is deactivated: ask an owner to reactivate it.",
          )
        : fieldError("conflict", "token", "invitation_alreadyMember", "You are already a member of this organisation.");
    }
    return {
      joined: true as const,
      ...(await join(tx, invitation, { id: deps.user.userId, email: deps.user.email }, false)),
    };
  });
}
