import { and, type Database, desc, eq, gt, isNull, MIN_PASSWORD_LENGTH, schema, writeAudit } from "@consentry/db";
import { env } from "@consentry/env";
import { accountLockedMail, createMailer, type Mail, passwordResetMail } from "@consentry/mail";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, getSessionFromCtx, isAPIError } from "better-auth/api";
import { twoFactor } from "better-auth/plugins/two-factor";
import { Redis } from "ioredis";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import {
  MAX_PASSWORD_LENGTH,
  PASSWORD_PROBLEM_CODES,
  PASSWORD_PROBLEM_MESSAGES,
  passwordProblem,
} from "./password-policy";
import type { Principal } from "./roles";
import { accountLockout, redisRateLimitStorage, SIGN_IN_LIMITS, type SignInLimits } from "./sign-in-limits";
import { passwordSignInRefusal, ssoPlugin } from "./sso";
import { TWO_FACTOR_ISSUER } from "./two-factor";

export { createUserWithPassword, MIN_PASSWORD_LENGTH } from "@consentry/db";
export {
  MAX_PASSWORD_LENGTH,
  PASSWORD_PROBLEM_CODES,
  PASSWORD_PROBLEM_MESSAGES,
  type PasswordProblem,
  passwordProblem,
} from "./password-policy";
export * from "./roles";
export { SIGN_IN_LIMITS, type SignInLimits } from "./sign-in-limits";
export {
  setTwoFactorRequired,
  TWO_FACTOR_ISSUER,
  TWO_FACTOR_SETUP_PATH,
  twoFactorPolicy,
  twoFactorSetupRequired,
} from "./two-factor";

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

  function audit(userId: string, action: string, details: Record<string, unknown>) {
    return db.transaction((tx) =>
      writeAudit(tx, {
        actor: { userId, label: `user:${userId}` },
        orgId: null,
        action,
        targetType: "user",
        targetId: userId,
        details,
      }),
    );
  }

  /** The policy for every new password (reset, change, set): refused before Better Auth stores it. */
  async function checkNewPassword(ctx: AuthMiddlewareContext) {
    const body = (ctx.body ?? {}) as { newPassword?: unknown; token?: unknown };
    if (typeof body.newPassword !== "string") return; // Better Auth's own validation answers
    const email = ctx.path === "/reset-password" ? await resetTokenEmail(body.token) : await sessionEmail(ctx);
    const problem = passwordProblem(body.newPassword, email ?? "");
    if (problem)
      throw new APIError("BAD_REQUEST", {
        code: PASSWORD_PROBLEM_CODES[problem],
        message: PASSWORD_PROBLEM_MESSAGES[problem],
      });
  }

  /** The address of the account a reset link is for (an unknown token is Better Auth's to refuse). */
  async function resetTokenEmail(token: unknown): Promise<string | null> {
    if (typeof token !== "string") return null;
    const [row] = await db
      .select({ email: schema.users.email })
      .from(schema.verifications)
      .innerJoin(schema.users, eq(schema.users.id, schema.verifications.value))
      .where(eq(schema.verifications.identifier, `reset-password:${token}`));
    return row?.email ?? null;
  }

  async function sessionEmail(ctx: AuthMiddlewareContext): Promise<string | null> {
    const session = await getSessionFromCtx(ctx).catch(() => null);
    return session?.user.email ?? null;
  }

  /** A member of an organisation that requires two-factor keeps it (they would be sent to set it up again). */
  async function checkMayDisableTwoFactor(ctx: AuthMiddlewareContext) {
    const session = await getSessionFromCtx(ctx).catch(() => null);
    if (!session) return; // Better Auth answers 401
    const overview = await accountOverview(db, session.user.id);
    const [org] = overview?.twoFactorRequiredBy ?? [];
    if (org)
      throw new APIError("FORBIDDEN", {
        code: TWO_FACTOR_REQUIRED,
        message: `${org.name} requires two-factor for its members, so it cannot be turned off.`,
      });
  }

  /**
   * Whether a new session is a sign-in. Not when it replaces the request's own session (two-factor
   * turned on or off, a password changed with the other sessions ended), nor a password step that
   * the two-factor plugin drops at once for the second step; that step's session is the sign-in.
   */
  async function isSignIn(userId: string, ctx: { path?: string; context: { session?: unknown } } | null) {
    if (ctx?.context.session) return false;
    if (ctx?.path !== "/sign-in/email") return true;
    const [user] = await db
      .select({ twoFactorEnabled: schema.users.twoFactorEnabled })
      .from(schema.users)
      .where(eq(schema.users.id, userId));
    return user?.twoFactorEnabled !== true;
  }

  /** Audits what a signed-in user did to their own account, once Better Auth has done it. */
  async function auditAccountChange(ctx: AuthMiddlewareContext) {
    const returned = ctx.context.returned;
    if (returned === undefined || isAPIError(returned) || returned instanceof Response) return;
    const action = ACCOUNT_AUDITS[ctx.path as keyof typeof ACCOUNT_AUDITS];
    const body = (ctx.body ?? {}) as Record<string, unknown>;
    const answer = returned as { user?: { id?: string } };
    // A changed password with other sessions revoked, or a sign-in's second step, answers the user;
    // the rest act on the request's own session.
    const userId =
      answer.user?.id ?? ctx.context.session?.user.id ?? (await getSessionFromCtx(ctx).catch(() => null))?.user.id;
    if (!userId) return;
    const details =
      ctx.path === "/change-password"
        ? { otherSessionsEnded: body.revokeOtherSessions === true }
        : ctx.path === "/two-factor/verify-backup-code"
          ? { duringSignIn: !ctx.context.session }
          : {};
    await audit(userId, action, details).catch((err) =>
      ctx.context.logger.error("could not audit an account change", { path: ctx.path, err }),
    );
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
        twoFactor: schema.twoFactors,
      },
    }),
    emailAndPassword: {
      enabled: true,
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      maxPasswordLength: MAX_PASSWORD_LENGTH,
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
    plugins: [
      ssoPlugin({ db, baseUrl }),
      // TOTP with encrypted backup codes. A sign-in challenge allows 5 codes; 10 wrong codes in a
      // row, across challenges, lock the second step for 15 minutes (the plugin's own lockout).
      twoFactor({
        issuer: TWO_FACTOR_ISSUER,
        backupCodeOptions: { amount: 10, length: 10 },
        accountLockout: { enabled: true, maxFailedAttempts: 10, durationSeconds: 15 * 60 },
      }),
    ],
    rateLimit: {
      enabled: true,
      window: 60,
      max: 30,
      customStorage: redisRateLimitStorage(redis, prefix),
      customRules: {
        "/sign-in/email": { window: 60, max: limits.perAddressPerMinute },
        "/request-password-reset": { window: 60, max: limits.perAddressPerMinute },
        "/reset-password": { window: 60, max: limits.perAddressPerMinute },
        "/change-password": { window: 60, max: limits.perAddressPerMinute },
        // The plugin's own rule (3 per 10 s per address), loosened only where the tests sign in.
        "/two-factor/*": { window: 10, max: env.APP_ENV === "test" ? 100 : 3 },
      },
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (PASSWORD_SETTING_PATHS.has(ctx.path)) return checkNewPassword(ctx);
        if (ctx.path === "/two-factor/disable") return checkMayDisableTwoFactor(ctx);
        if (ctx.path !== "/sign-in/email") return;
        const email = signInEmail(ctx.body);
        const seconds = email ? await lockout.lockedFor(email) : 0;
        if (seconds > 0) throw accountLocked(seconds);
        const ssoOnly = email ? await passwordSignInRefusal(db, email) : null;
        if (ssoOnly) throw new APIError("FORBIDDEN", { code: SSO_REQUIRED, message: ssoOnly });
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path in ACCOUNT_AUDITS) return auditAccountChange(ctx);
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
      user: {
        update: {
          // The plugin turns the flag on when the first code is verified and off on disable.
          after: async (user, ctx) => {
            const path = ctx?.path;
            if (path !== "/two-factor/verify-totp" && path !== "/two-factor/disable") return;
            const enabled = (user as { twoFactorEnabled?: boolean | null }).twoFactorEnabled === true;
            await audit(user.id, enabled ? "user.two_factor.enabled" : "user.two_factor.disabled", {});
          },
        },
      },
      session: {
        create: {
          after: async (session, ctx) => {
            if (!(await isSignIn(session.userId, ctx))) return;
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

type AuthMiddlewareContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/** Endpoints that set a password; each new password must pass the policy. */
const PASSWORD_SETTING_PATHS = new Set(["/reset-password", "/change-password", "/set-password"]);

/** What a user does to their own account, by Better Auth endpoint, and how it is audited. */
const ACCOUNT_AUDITS = {
  "/change-password": "user.password.changed",
  "/revoke-session": "user.session.revoked",
  "/revoke-other-sessions": "user.sessions.revoked_others",
  "/revoke-sessions": "user.sessions.revoked_all",
  "/two-factor/generate-backup-codes": "user.two_factor.backup_codes_regenerated",
  "/two-factor/verify-backup-code": "user.two_factor.backup_code_used",
  // Turning two-factor on and off is audited where the plugin changes the user's flag.
} as const;

/** Errors the sign-in form recognises by their code and shows in the reader's language. */
export const ACCOUNT_LOCKED = "ACCOUNT_LOCKED";
export const SSO_REQUIRED = "SSO_REQUIRED";
/** Turning two-factor off is refused while an organisation of the user requires it. */
export const TWO_FACTOR_REQUIRED = "TWO_FACTOR_REQUIRED";
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

/**
 * Everything authorisation needs about a user, in three small queries, read on every request: so a
 * deactivation, an owner's two-factor rule and the member's own set-up take effect at once.
 */
export async function loadPrincipal(db: Database, userId: string): Promise<Principal | null> {
  const [user] = await db.select().from(schema.users).where(eq(schema.users.id, userId));
  if (!user) return null;
  const [rows, admins, regulators] = await Promise.all([
    db
      .select({
        orgId: schema.memberships.orgId,
        orgName: schema.organizations.name,
        role: schema.memberships.role,
        requiresTwoFactor: schema.organizations.requireTwoFactor,
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
    memberships: rows.map(({ requiresTwoFactor: _, ...membership }) => membership),
    twoFactorSetupFor: user.twoFactorEnabled ? [] : rows.filter((row) => row.requiresTwoFactor).map((row) => row.orgId),
    regulator: regulator
      ? { id: regulator.id, authority: regulator.authority, jurisdictionCodes: regulator.jurisdictionCodes }
      : null,
  };
}

/**
 * The user's own sessions that have not expired, newest activity first, without their tokens:
 * the profile lists them and revokes one by id, so a token never reaches a page.
 */
export async function listOwnSessions(db: Database, userId: string) {
  return db
    .select({
      id: schema.sessions.id,
      userAgent: schema.sessions.userAgent,
      ipAddress: schema.sessions.ipAddress,
      createdAt: schema.sessions.createdAt,
      lastActiveAt: schema.sessions.updatedAt,
      expiresAt: schema.sessions.expiresAt,
    })
    .from(schema.sessions)
    .where(and(eq(schema.sessions.userId, userId), gt(schema.sessions.expiresAt, new Date())))
    .orderBy(desc(schema.sessions.updatedAt));
}

/**
 * Ends one of the user's own sessions (that device is signed out at its next request), audited in
 * the same transaction. Another user's session id is simply not found: answers false.
 */
export async function revokeOwnSession(
  deps: { db: Database; actor: { userId: string; label: string } },
  sessionId: string,
): Promise<boolean> {
  return deps.db.transaction(async (tx) => {
    const [revoked] = await tx
      .delete(schema.sessions)
      .where(and(eq(schema.sessions.id, sessionId), eq(schema.sessions.userId, deps.actor.userId)))
      .returning({ id: schema.sessions.id, userAgent: schema.sessions.userAgent });
    if (!revoked) return false;
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: null,
      action: "user.session.revoked",
      targetType: "user",
      targetId: deps.actor.userId,
      details: { sessionId: revoked.id, userAgent: revoked.userAgent },
    });
    return true;
  });
}

/** What the profile page shows about the account itself. */
export async function accountOverview(db: Database, userId: string) {
  const [user] = await db
    .select({
      name: schema.users.name,
      email: schema.users.email,
      twoFactorEnabled: schema.users.twoFactorEnabled,
      lastSignInAt: schema.users.lastSignInAt,
    })
    .from(schema.users)
    .where(eq(schema.users.id, userId));
  if (!user) return null;
  const requiredBy = await db
    .select({ orgId: schema.organizations.id, name: schema.organizations.name })
    .from(schema.memberships)
    .innerJoin(schema.organizations, eq(schema.organizations.id, schema.memberships.orgId))
    .where(
      and(
        eq(schema.memberships.userId, userId),
        isNull(schema.memberships.deactivatedAt),
        eq(schema.organizations.requireTwoFactor, true),
      ),
    )
    .orderBy(schema.organizations.name);
  return { ...user, twoFactorEnabled: user.twoFactorEnabled === true, twoFactorRequiredBy: requiredBy };
}
