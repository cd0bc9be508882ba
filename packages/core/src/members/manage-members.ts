import { type AuditActor, and, type Database, type Executor, eq, isNull, schema, writeAudit } from "@consentry/db";
import type { JobProducer, MemberInvalidation } from "@consentry/queue";
import { fieldError, notFound } from "../errors";
import type { MEMBER_ROLES } from "./fields";

const { memberships, sessions, users } = schema;

type Role = (typeof MEMBER_ROLES)[number];
type Deps = { db: Database; actor: AuditActor; orgId: string; jobs: Pick<JobProducer, "invalidate"> };

async function lockMember(tx: Executor, orgId: string, userId: string) {
  const [member] = await tx
    .select({ membership: memberships, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .for("update", { of: memberships });
  // Another organisation's member is not found either.
  if (!member) notFound("Member");
  return member;
}

/**
 * Refuses a change that would leave the organisation without an active owner. The owner rows are
 * locked, so two owners demoting each other at once cannot both succeed.
 */
async function keepAnOwner(tx: Executor, orgId: string, target: typeof memberships.$inferSelect, field: string) {
  if (target.role !== "owner" || target.deactivatedAt) return;
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner"), isNull(memberships.deactivatedAt)))
    .for("update");
  if (owners.filter((o) => o.userId !== target.userId).length === 0) {
    throw fieldError(
      "refused",
      field,
      "lastOwner",
      "The organisation needs an active owner: make another member owner first.",
    );
  }
}

/**
 * Ends every session of the user at once (all organisations: a session is not per organisation,
 * and a leaver's open browser must not keep working).
 */
async function endSessions(tx: Executor, userId: string) {
  const ended = await tx.delete(sessions).where(eq(sessions.userId, userId)).returning({ id: sessions.id });
  return ended.length;
}

/** The live-view gateway re-checks the member's open viewers at once (its sweep does later anyway). */
async function announce(deps: Deps, userId: string) {
  const change: MemberInvalidation = { type: "member", orgId: deps.orgId, userId };
  // JobProducer.invalidate is typed for the inference workers' changes; its publisher
  // (publishInvalidation) sends member changes on the same channel.
  await deps.jobs.invalidate(change).catch(() => {});
}

export async function changeMemberRole(deps: Deps, input: { userId: string; role: Role }) {
  const result = await deps.db.transaction(async (tx) => {
    const { membership, email } = await lockMember(tx, deps.orgId, input.userId);
    if (membership.role === input.role) return { changed: false };
    if (input.role !== "owner") await keepAnOwner(tx, deps.orgId, membership, "role");
    await tx.update(memberships).set({ role: input.role }).where(eq(memberships.id, membership.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "member.role_change",
      targetType: "user",
      targetId: input.userId,
      details: { email, from: membership.role, to: input.role },
    });
    return { changed: true };
  });
  if (result.changed) await announce(deps, input.userId);
  return result;
}

/** Access ends on the next request: the membership no longer counts and every session is gone. */
export async function deactivateMember(deps: Deps, input: { userId: string }) {
  const result = await deps.db.transaction(async (tx) => {
    const { membership, email } = await lockMember(tx, deps.orgId, input.userId);
    if (membership.deactivatedAt) {
      throw fieldError("precondition", "userId", "alreadyDeactivated", "This member is already deactivated.");
    }
    await keepAnOwner(tx, deps.orgId, membership, "userId");
    await tx
      .update(memberships)
      .set({ deactivatedAt: new Date(), deactivatedBy: deps.actor.userId })
      .where(eq(memberships.id, membership.id));
    const sessionsEnded = await endSessions(tx, input.userId);
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "member.deactivate",
      targetType: "user",
      targetId: input.userId,
      details: { email, role: membership.role, sessionsEnded },
    });
    return { sessionsEnded };
  });
  await announce(deps, input.userId);
  return result;
}

export async function reactivateMember(deps: Deps, input: { userId: string }) {
  const result = await deps.db.transaction(async (tx) => {
    const { membership, email } = await lockMember(tx, deps.orgId, input.userId);
    if (!membership.deactivatedAt) {
      throw fieldError("precondition", "userId", "notDeactivated", "This member is active.");
    }
    await tx
      .update(memberships)
      .set({ deactivatedAt: null, deactivatedBy: null })
      .where(eq(memberships.id, membership.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "member.reactivate",
      targetType: "user",
      targetId: input.userId,
      details: { email, role: membership.role },
    });
    return { reactivated: true };
  });
  await announce(deps, input.userId);
  return result;
}

/** Deletes the membership (the account stays, for its other organisations); sessions end as on deactivation. */
export async function removeMember(deps: Deps, input: { userId: string }) {
  const result = await deps.db.transaction(async (tx) => {
    const { membership, email } = await lockMember(tx, deps.orgId, input.userId);
    await keepAnOwner(tx, deps.orgId, membership, "userId");
    await tx.delete(memberships).where(eq(memberships.id, membership.id));
    const sessionsEnded = await endSessions(tx, input.userId);
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: deps.actor.userId === input.userId ? "member.leave" : "member.remove",
      targetType: "user",
      targetId: input.userId,
      details: { email, role: membership.role, sessionsEnded },
    });
    return { sessionsEnded };
  });
  await announce(deps, input.userId);
  return result;
}
