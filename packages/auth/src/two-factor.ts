import { type AuditActor, and, type Database, eq, isNull, schema, sql, writeAudit } from "@consentry/db";

/** The name authenticator apps show beside the code. */
export const TWO_FACTOR_ISSUER = "Consentry";

/**
 * Where a member is sent when their organisation requires two-factor and they have none yet: a
 * page of its own outside the dashboard, so nothing else opens first (issue #16.4).
 */
export const TWO_FACTOR_SETUP_PATH = "/sign-in/two-factor-setup";

/**
 * Whether this user would have to set up two-factor to work in this organisation (whether or not
 * they are a member yet): it requires two-factor and they have none. Requests read the same rule
 * from the principal (`twoFactorSetupFor`, loadPrincipal), without a query of their own.
 */
export async function twoFactorSetupRequired(db: Database, userId: string, orgId: string): Promise<boolean> {
  const [row] = await db
    .select({ required: schema.organizations.requireTwoFactor, enabled: schema.users.twoFactorEnabled })
    .from(schema.organizations)
    .innerJoin(schema.users, eq(schema.users.id, userId))
    .where(eq(schema.organizations.id, orgId));
  return row ? row.required && row.enabled !== true : false;
}

/** An organisation's two-factor rule, and how far its active members are from meeting it. */
export async function twoFactorPolicy(db: Database, orgId: string) {
  const [org] = await db
    .select({ required: schema.organizations.requireTwoFactor })
    .from(schema.organizations)
    .where(eq(schema.organizations.id, orgId));
  const [counts] = await db
    .select({
      members: sql<number>`count(*)::int`,
      withoutTwoFactor: sql<number>`count(*) filter (where ${schema.users.twoFactorEnabled} is not true)::int`,
    })
    .from(schema.memberships)
    .innerJoin(schema.users, eq(schema.users.id, schema.memberships.userId))
    .where(and(eq(schema.memberships.orgId, orgId), isNull(schema.memberships.deactivatedAt)));
  return {
    required: org?.required ?? false,
    members: counts?.members ?? 0,
    membersWithoutTwoFactor: counts?.withoutTwoFactor ?? 0,
  };
}

/**
 * An owner requires two-factor for every member, or lifts the rule; audited. Requiring it is
 * refused while the owner has none, so nobody locks the organisation behind a rule they cannot
 * meet themselves ("ownerWithoutTwoFactor"); nothing is changed then.
 */
export async function setTwoFactorRequired(
  deps: { db: Database; actor: AuditActor & { userId: string }; orgId: string },
  required: boolean,
): Promise<"ok" | "ownerWithoutTwoFactor"> {
  return deps.db.transaction(async (tx) => {
    const [owner] = await tx
      .select({ enabled: schema.users.twoFactorEnabled })
      .from(schema.users)
      .where(eq(schema.users.id, deps.actor.userId));
    if (required && owner?.enabled !== true) return "ownerWithoutTwoFactor";
    const [before] = await tx
      .select({ required: schema.organizations.requireTwoFactor })
      .from(schema.organizations)
      .where(eq(schema.organizations.id, deps.orgId))
      .for("update");
    await tx
      .update(schema.organizations)
      .set({ requireTwoFactor: required })
      .where(eq(schema.organizations.id, deps.orgId));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: required ? "organization.two_factor.required" : "organization.two_factor.optional",
      targetType: "organization",
      targetId: deps.orgId,
      details: { required, before: before?.required ?? false },
    });
    return "ok";
  });
}
