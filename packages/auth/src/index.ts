import { and, type Database, eq, isNull, MIN_PASSWORD_LENGTH, schema, writeAudit } from "@consentry/db";
import { env } from "@consentry/env";
import { accountLockedMail, createMailer, type Mail, passwordResetMail } from "@consentry/mail";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { Redis } from "ioredis";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import type { Principal } from "./roles";
import { accountLockout, redisRateLimitStorage, SIGN_IN_LIMITS, type SignInLimits } from "./sign-in-limits";
import { passwordSignInRefusal, ssoPlugin } from "./sso";

export { createUserWithPassword, MIN_PASSWORD_LENGTH } from "@consentry/db";
export { type PasswordProblem, passwordProblem } from "./password-policy";
export * from "./roles";
export { SIGN_IN_LIMITS, type SignInLimits } from "./sign-in-limits";

/** How long a password-reset link works (issue #16: 30 minutes, once). */
export const RESET_LINK_MINUTES = 30;

function trustedOrigins(baseUrl: string): string[] {
  // The same port reached as localhost or 127.0.0.1 is the same deployment.
  const url = new URL(baseUrl);
  const origins = new Set([url.origin]);
  for (const host of ["localhost", "127.0.0.1"])
    origins.add(`${url.protocol}//${host}${url.port ? `:${url.port}` : ""}`);
  return [...origins];
}

export type AuthServices = {
  /** The public URL (tests pass their own); when it is https, session cookies are `Secure`. */
  baseUrl?: string;
  /** Rate limits and lockouts live here, shared by every web process. */
  redis?: Redis;
  /** Key prefix in Redis (QUEUE_PREFIX), so separate installations or test runs never meet. */
  prefix?: string;
  mailer?: { send(mail: Mail): Promise<void> };
  limits?: Partial<SignInLimits>;
};

/**
 * Email + password sessions (Better Auth). Sign-up is closed: accounts are created by
 * administrators and the seed, never by strangers. Sign-in is limited per client address (the
 * one apps/web/server.ts computed, never X-Forwarded-For as sent) in Redis, and an account that
 * gets `maxFailures` wrong passwords is locked for a while, its holder told by mail.
 */
export function createAuth(db: Database, services: AuthServices = {}) {
  const baseUrl = services.baseUrl ?? env.BETTER_AUTH_URL;
  const prefix = services.prefix ?? env.QUEUE_PREFIX;
  const redis = services.redis ?? defaultRedis();
  const mailer = services.mailer ?? createMailer(env.SMTP_URL, env.SMTP_FROM);
  const limits = { ...defaultLimits(), ...services.limits };
  const lockout = accountLockout(redis, prefix, limits);

  /** Audits the lock and mails the holder; only for an account that exists. */
  async function announceLock(email: string, seconds: number) {
    const [user] = await db.select().from(schema.users).where(eq(schema.users.email, email));
    if (!user) return;
    const minutes = Math.ceil(seconds / 60);
    await db.transaction((tx) =>
      writeAudit(tx, {
        actor: { userId: null, label: "system:sign-in" },
        orgId: null,
        action: "auth.account_locked",
        targetType: "user",
        targetId: user.id,
        details: { minutes, failures: limits.maxFailures },
      }),
    );
    await mailer.send(accountLockedMail(user.email, minutes));
  }

  /** Audits the request and mails the link; at most `maxResetMails` per account per hour. */
  async function sendResetLink(user: { id: string; email: string }, token: string) {
    if (!(await lockout.allowResetMail(user.email))) return;
    await db.transaction((tx) =>
      writeAudit(tx, {
        actor: { userId: null, label: "system:password-reset" },
        orgId: null,
        action: "user.password.reset_requested",
        targetType: "user",
        targetId: user.id,
        details: { validMinutes: RESET_LINK_MINUTES },
      }),
    );
    const link = `${new URL(baseUrl).origin}/reset-password?token=${encodeURIComponent(token)}`;
    await mailer.send(passwordResetMail(user.email, link, RESET_LINK_MINUTES));
  }

  return betterAuth({
    appName: "Consentry",
    baseURL: baseUrl,
    secret: env.BETTER_AUTH_SECRET,
    trustedOrigins: trustedOrigins(baseUrl),
    telemetry: { enabled: false },
    advanced: {
      useSecureCookies: new URL(baseUrl).protocol === "https:",
      // Only the address our own server computed; a forwarded chain is resolved there.
      ipAddress: { ipAddressHeaders: [CLIENT_ADDRESS_HEADER] },
    },
    database: drizzleAdapter(db, {
      provider: "pg",
      schema: {
        user: schema.users,
        session: schema.sessions,
        account: schema.accounts,
        verification: schema.verifications,
      },
    }),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      resetPasswordTokenExpiresIn: RESET_LINK_MINUTES * 60,
      // A reset ends every session of the account: whoever knew the old password is out.
      revokeSessionsOnPasswordReset: true,
      // Called only for an address that exists. Not awaited, so an unknown address answers as
      // fast as a known one; a failed mail or audit is logged and the link simply never arrives.
      sendResetPassword: async ({ user, token }) => {
        void sendResetLink(user, token).catch((err) =>
          console.error("could not audit or send a password-reset link", { userId: user.id, err }),
        );
      },
      onPasswordReset: async ({ user }) => {
        await db.transaction((tx) =>
          writeAudit(tx, {
            actor: { userId: user.id, label: `user:${user.id}` },
            orgId: null,
            action: "user.password.reset",
            targetType: "user",
            targetId: user.id,
            details: { sessionsEnded: true },
          }),
        );
        // The holder proved they read the account's mail: wrong guesses before no longer count.
        await lockout.clear(user.email);
      },
    },
    session: { expiresIn: 60 * 60 * 12, updateAge: 60 * 60 },
    plugins: [ssoPlugin({ db, baseUrl })],
    rateLimit: {
      enabled: true,
      window: 60,
      max: 30,
      customStorage: redisRateLimitStorage(redis, prefix),
      customRules: {
        "/sign-in/email": { window: 60, max: limits.perAddressPerMinute },
        "/request-password-reset": { window: 60, max: limits.perAddressPerMinute },
        "/reset-password": { window: 60, max: limits.perAddressPerMinute },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = signInEmail(ctx.body);
        const seconds = email ? await lockout.lockedFor(email) : 0;
        if (seconds > 0) throw accountLocked(seconds);
        const ssoOnly = email ? await passwordSignInRefusal(db, email) : null;
        if (ssoOnly) throw new APIError("FORBIDDEN", { code: SSO_REQUIRED, message: ssoOnly });
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email") return;
        const email = signInEmail(ctx.body);
        if (!email) return;
        const returned = ctx.context.returned;
        if (ctx.context.newSession) return lockout.reset(email);
        if (!isAPIError(returned) || returned.statusCode !== 401) return;
        const outcome = await lockout.recordFailure(email);
        if (!outcome.locked) return;
        // The lock holds even if the audit or the mail fails; those are logged.
        if (outcome.newLock)
          await announceLock(email, outcome.seconds).catch((err) =>
            ctx.context.logger.error("could not audit or announce an account lock", err),
          );
        // A thrown error here would keep the sign-in's own 401 status, so answer with a response.
        const locked = accountLocked(outcome.seconds);
        return Response.json(locked.body, { status: locked.statusCode });
      }),
    },
    databaseHooks: {
      session: {
        create: {
          after: async (session) => {
            await db.transaction(async (tx) => {
              await tx
                .update(schema.users)
                .set({ lastSignInAt: new Date() })
                .where(eq(schema.users.id, session.userId));
              await writeAudit(tx, {
                actor: { userId: session.userId, label: `user:${session.userId}` },
                orgId: null,
                action: "auth.sign_in",
                targetType: "user",
                targetId: session.userId,
                details: { userAgent: session.userAgent ?? null },
              });
            });
          },
        },
      },
    },
  });
}

/** Errors the sign-in form recognises by their code and shows in the reader's language. */
export const ACCOUNT_LOCKED = "ACCOUNT_LOCKED";
export const SSO_REQUIRED = "SSO_REQUIRED";
const accountLocked = (seconds: number) =>
  new APIError("LOCKED", {
    code: ACCOUNT_LOCKED,
    message: `Too many wrong passwords: this account is locked for ${Math.ceil(seconds / 60)} more minutes.`,
    retryAfterSeconds: seconds,
  });

const signInEmail = (body: unknown) =>
  body && typeof body === "object" && "email" in body && typeof body.email === "string"
    ? body.email.trim().toLowerCase()
    : null;

// The Playwright suite signs dozens of users in from 127.0.0.1 within a minute; everywhere else
// the product's per-address limit applies. The limiter itself runs in every environment.
const defaultLimits = (): SignInLimits =>
  env.APP_ENV === "test" ? { ...SIGN_IN_LIMITS, perAddressPerMinute: 600 } : SIGN_IN_LIMITS;

function defaultRedis() {
  const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
  redis.on("error", () => {}); // a failed limit check fails the sign-in; /api/health reports Redis
  return redis;
}

export type Auth = ReturnType<typeof createAuth>;

export type ResetLinkState = "valid" | "expired" | "invalid";

/**
 * Whether a reset link's token still works, so the page can say so before a new password is typed.
 * A used token is gone, so "invalid" covers used and forged; "expired" only until Better Auth
 * sweeps expired rows.
 */
export async function resetLinkState(auth: Auth, token: string): Promise<ResetLinkState> {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(token)) return "invalid";
  const context = await auth.$context;
  const verification = await context.internalAdapter.findVerificationValue(`reset-password:${token}`);
  if (!verification) return "invalid";
  return verification.expiresAt < new Date() ? "expired" : "valid";
}

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
      // A deactivated member keeps the row but loses access at once (the next request).
      .where(and(eq(schema.memberships.userId, userId), isNull(schema.memberships.deactivatedAt)))
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
