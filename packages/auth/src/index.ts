import { type Database, eq, MIN_PASSWORD_LENGTH, schema, writeAudit } from "@consentry/db";
import { env } from "@consentry/env";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import type { Principal } from "./roles";

export { createUserWithPassword, MIN_PASSWORD_LENGTH } from "@consentry/db";
export * from "./roles";

function trustedOrigins(baseUrl: string): string[] {
  // The same port reached as localhost or 127.0.0.1 is the same deployment.
  const url = new URL(baseUrl);
  const origins = new Set([url.origin]);
  for (const host of ["localhost", "127.0.0.1"])
    origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ""}`);
  return [...origins];
}

/**
 * Email + password sessions (Better Auth). Sign-up is closed: accounts are created by
 * administrators and the seed, never by strangers. `baseUrl` is the public URL (tests pass
 * their own); when it is https, session cookies are `Secure` and carry the `__Secure-` prefix.
 */
export function createAuth(db: Database, baseUrl = env.BETTER_AUTH_URL) {
  return betterAuth({
    appName: "Consentry",
    baseURL: baseUrl,
    secret: env.BETTER_AUTH_SECRET,
    trustedOrigins: trustedOrigins(baseUrl),
    telemetry: { enabled: false },
    advanced: { useSecureCookies: new URL(baseUrl).protocol === "https:" },
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: {
        user: schema.users,
        session: schema.sessions,
        account: schema.accounts,
        verification: schema.verifications,
      },
    }),
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: MIN_PASSWORD_LENGTH },
    session: { expiresIn: 60 * 60 * 12, updateAge: 60 * 60 },
    rateLimit: { enabled: env.APP_ENV === "production", window: 60, max: 30 },
    databaseHooks: {
      session: {
        create: {
          after: async (session) => {
            await db.transaction((tx) =>
              writeAudit(tx, {
                actor: { userId: session.userId, label: `user:${session.userId}` },
                orgId: null,
                action: "auth.sign_in",
                targetType: "user",
                targetId: session.userId,
                details: { userAgent: session.userAgent ?? null },
              }),
            );
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** Everything authorisation needs about a user, in three small queries. */
export async function loadPrincipal(db: Database, userId: string): Promise<Principal | null> {
  const [user] = await db.select().from(schema.users).where(eq(schema.users.id, userId));
  if (!user) return null;
  const [memberships, admins, regulators] = await Promise.all([
    db
      .select({
        orgId: schema.memberships.orgId,
        orgName: schema.organizations.name,
        role: schema.memberships.role,
      })
      .from(schema.memberships)
      .innerJoin(schema.organizations, eq(schema.organizations.id, schema.memberships.orgId))
      .where(eq(schema.memberships.userId, userId))
      .orderBy(schema.organizations.name),
    db.select().from(schema.platformAdmins).where(eq(schema.platformAdmins.userId, userId)),
    db.select().from(schema.regulators).where(eq(schema.regulators.userId, userId)),
  ]);
  const regulator = regulators[0];
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    isPlatformAdmin: admins.length > 0,
    memberships,
    regulator: regulator
      ? { id: regulator.id, authority: regulator.authority, jurisdictionCodes: regulator.jurisdictionCodes }
      : null,
  };
}
