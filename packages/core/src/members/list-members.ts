import { and, count, type Database, desc, eq, isNotNull, isNull, type SQL, schema, sql } from "@consentry/db";
import type { z } from "zod";
import type { memberListFields } from "./fields";

const { assessments, cameras, invitations, memberships, notices, signs, sites, users } = schema;

/** Members with what an owner checks: role, status, last sign-in, two-factor. Oldest members first. */
export async function listMembers(deps: { db: Database; orgId: string }, input: z.infer<typeof memberListFields>) {
  const filters: SQL[] = [eq(memberships.orgId, deps.orgId)];
  if (input.role) filters.push(eq(memberships.role, input.role));
  if (input.status === "active") filters.push(isNull(memberships.deactivatedAt));
  if (input.status === "deactivated") filters.push(isNotNull(memberships.deactivatedAt));
  const where = and(...filters);
  const [rows, [total], [owners]] = await Promise.all([
    deps.db
      .select({
        userId: users.id,
        name: users.name,
        email: users.email,
        role: memberships.role,
        joinedAt: memberships.createdAt,
        deactivatedAt: memberships.deactivatedAt,
        lastSignInAt: users.lastSignInAt,
        twoFactorEnabled: users.twoFactorEnabled,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(where)
      .orderBy(memberships.createdAt, users.email)
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    deps.db.select({ n: count() }).from(memberships).where(where),
    deps.db
      .select({ n: count() })
      .from(memberships)
      .where(and(eq(memberships.orgId, deps.orgId), eq(memberships.role, "owner"), isNull(memberships.deactivatedAt))),
  ]);
  return {
    rows: rows.map((row) => ({ ...row, twoFactorEnabled: row.twoFactorEnabled ?? false })),
    total: total?.n ?? 0,
    activeOwners: owners?.n ?? 0,
  };
}

/** Invitations not yet accepted or revoked, newest first; an expired one is shown as such (resend it). */
export async function listInvitations(
  deps: { db: Database; orgId: string },
  input: { page: number; pageSize: number },
) {
  const where = and(eq(invitations.orgId, deps.orgId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt));
  const [rows, [total]] = await Promise.all([
    deps.db
      .select({
        id: invitations.id,
        email: invitations.email,
        role: invitations.role,
        sentAt: invitations.sentAt,
        sendCount: invitations.sendCount,
        expiresAt: invitations.expiresAt,
        invitedBy: users.email,
        expired: sql<boolean>`${invitations.expiresAt} <= now()`,
      })
      .from(invitations)
      .leftJoin(users, eq(users.id, invitations.invitedBy))
      .where(where)
      .orderBy(desc(invitations.sentAt))
      .limit(input.pageSize)
      .offset((input.page - 1) * input.pageSize),
    deps.db.select({ n: count() }).from(invitations).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}

/**
 * The first steps of a new organisation, each ticked from its data: a site, its PIPIA, cameras,
 * a published notice, signs. `siteId` is the first site, where most steps are done.
 */
export async function firstSteps(deps: { db: Database; orgId: string }) {
  const exists = (table: typeof sites | typeof assessments | typeof cameras | typeof notices | typeof signs) =>
    deps.db
      .select({ n: count() })
      .from(table)
      .where(eq(table.orgId, deps.orgId))
      .then(([row]) => (row?.n ?? 0) > 0);
  const [site, assessment, camera, notice, sign, [first]] = await Promise.all([
    exists(sites),
    exists(assessments),
    exists(cameras),
    exists(notices),
    exists(signs),
    deps.db.select({ id: sites.id }).from(sites).where(eq(sites.orgId, deps.orgId)).orderBy(sites.createdAt).limit(1),
  ]);
  const steps = { site, assessment, camera, notice, sign };
  return { steps, done: Object.values(steps).every(Boolean), siteId: first?.id ?? null };
}
