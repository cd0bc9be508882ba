import { type AuditActor, and, type Database, type Executor, eq, isNull, schema, writeAudit } from "@consentry/db";
import { invitationMail, type Mail } from "@consentry/mail";
import type { z } from "zod";
import { DomainError, fieldError, notFound } from "../errors";
import type { inviteFields } from "./fields";
import { INVITATION_HOURS, invitationExpiry, newInvitationToken } from "./tokens";

const { invitations, memberships, organizations, users } = schema;

/** What sending an invitation needs: a mailer and the public address the link points to. */
export type InvitationServices = { mailer: { send(mail: Mail): Promise<void> }; baseUrl: string };

export type InviteFields = z.infer<typeof inviteFields>;

export const invitationLink = (baseUrl: string, token: string) =>
  `${new URL(baseUrl).origin}/invite?token=${encodeURIComponent(token)}`;

/**
 * Writes a pending invitation inside the caller's transaction and returns it with its token.
 * An address that is already a member is refused; one with a live pending invitation is told to
 * resend it; an expired pending one is replaced (its old link stays dead).
 */
export async function createPendingInvitation(
  tx: Executor,
  input: { orgId: string; email: string; role: InviteFields["role"]; invitedBy: string | null },
) {
  const [member] = await tx
    .select({ deactivatedAt: memberships.deactivatedAt })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, input.orgId), eq(users.email, input.email)));
  if (member) {
    throw member.deactivatedAt
      ? fieldError(
          "conflict",
          "email",
          "memberDeactivated",
          "This address is a deactivated member: reactivate them instead.",
        )
      : fieldError("conflict", "email", "alreadyMember", "This address is already a member of the organisation.");
  }
  const { token, tokenHash } = newInvitationToken();
  const [pending] = await tx
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.orgId, input.orgId),
        eq(invitations.email, input.email),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
      ),
    )
    .for("update");
  if (pending && pending.expiresAt > new Date()) {
    throw fieldError(
      "conflict",
      "email",
      "alreadyInvited",
      "This address already has a pending invitation: resend it.",
    );
  }
  const now = new Date();
  const values = {
    role: input.role,
    tokenHash,
    invitedBy: input.invitedBy,
    sentAt: now,
    expiresAt: invitationExpiry(now),
  };
  const [invitation] = pending
    ? await tx
        .update(invitations)
        .set({ ...values, sendCount: pending.sendCount + 1 })
        .where(eq(invitations.id, pending.id))
        .returning()
    : await tx
        .insert(invitations)
        .values({ ...values, orgId: input.orgId, email: input.email })
        .returning();
  if (!invitation) throw new Error("invitation write returned no row");
  return { invitation, token };
}

/** Mails the link. A failure leaves the invitation pending (the page offers Resend); it is reported, not thrown. */
export async function sendInvitation(
  services: InvitationServices,
  db: Executor,
  invitation: { orgId: string; email: string; role: string; invitedBy: string | null },
  token: string,
): Promise<boolean> {
  const [org] = await db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, invitation.orgId));
  const [inviter] = invitation.invitedBy
    ? await db.select({ email: users.email }).from(users).where(eq(users.id, invitation.invitedBy))
    : [];
  try {
    await services.mailer.send(
      invitationMail(invitation.email, {
        link: invitationLink(services.baseUrl, token),
        organization: org?.name ?? "",
        role: invitation.role,
        invitedBy: inviter?.email ?? null,
        hours: INVITATION_HOURS,
      }),
    );
    return true;
  } catch (err) {
    console.error("could not send an invitation mail", { orgId: invitation.orgId, err });
    return false;
  }
}

type Deps = { db: Database; actor: AuditActor; orgId: string; mail: InvitationServices };

/** An owner invites an address with a role; the mail goes out once the invitation is saved. */
export async function inviteMember(deps: Deps, input: InviteFields) {
  const { invitation, token } = await deps.db.transaction(async (tx) => {
    const created = await createPendingInvitation(tx, { ...input, orgId: deps.orgId, invitedBy: deps.actor.userId });
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "member.invite",
      targetType: "invitation",
      targetId: created.invitation.id,
      details: { email: input.email, role: input.role, expiresAt: created.invitation.expiresAt.toISOString() },
    });
    return created;
  });
  const mailSent = await sendInvitation(deps.mail, deps.db, invitation, token);
  return { id: invitation.id, email: invitation.email, expiresAt: invitation.expiresAt, mailSent };
}

async function lockPending(tx: Executor, orgId: string, invitationId: string) {
  const [invitation] = await tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.orgId, orgId)))
    .for("update");
  if (!invitation) notFound("Invitation");
  if (invitation.acceptedAt) throw new DomainError("precondition", "This invitation has already been accepted.");
  if (invitation.revokedAt) throw new DomainError("precondition", "This invitation has been revoked.");
  return invitation;
}

/** A new link for a pending invitation: the old one stops working, the new one works for 72 hours. */
export async function resendInvitation(deps: Deps, input: { invitationId: string }) {
  const { invitation, token } = await deps.db.transaction(async (tx) => {
    const pending = await lockPending(tx, deps.orgId, input.invitationId);
    const { token, tokenHash } = newInvitationToken();
    const now = new Date();
    const [invitation] = await tx
      .update(invitations)
      .set({ tokenHash, sentAt: now, expiresAt: invitationExpiry(now), sendCount: pending.sendCount + 1 })
      .where(eq(invitations.id, pending.id))
      .returning();
    if (!invitation) throw new Error("update returned no row");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "member.invite_resend",
      targetType: "invitation",
      targetId: invitation.id,
      details: {
        email: invitation.email,
        sendCount: invitation.sendCount,
        expiresAt: invitation.expiresAt.toISOString(),
      },
    });
    return { invitation, token };
  });
  const mailSent = await sendInvitation(deps.mail, deps.db, invitation, token);
  return { id: invitation.id, expiresAt: invitation.expiresAt, mailSent };
}

/** A pending invitation's link stops working at once. */
export async function revokeInvitation(deps: Omit<Deps, "mail">, input: { invitationId: string }) {
  return deps.db.transaction(async (tx) => {
    const pending = await lockPending(tx, deps.orgId, input.invitationId);
    await tx.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, pending.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "member.invite_revoke",
      targetType: "invitation",
      targetId: pending.id,
      details: { email: pending.email, role: pending.role },
    });
    return { id: pending.id };
  });
}
