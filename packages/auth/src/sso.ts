import { and, type Database, eq, isNull, ne, schema, sql, writeAudit } from "@consentry/db";
import type { BetterAuthPlugin } from "better-auth";
import { createAuthEndpoint } from "better-auth/api";
import { setSessionCookie } from "better-auth/cookies";
import * as oidc from "openid-client";
import { z } from "zod";
import { ORG_ROLES, type OrgRole } from "./roles";
import { claimValues, clientFor, providerFailure, type SsoConnection } from "./sso-oidc";

const { accounts, memberships, ssoConnections, ssoDomains } = schema;

/** Where the IdP sends the user back (the owner registers it at the IdP). */
export const SSO_CALLBACK_PATH = "/sso/callback";
/** The page that starts SSO and shows its errors (apps/web/src/app/sign-in/sso). */
export const SSO_PAGE = "/sign-in/sso";
/** The accounts row of an SSO identity: providerId `sso:<orgId>`, accountId the IdP's `sub`. */
export const ssoProviderId = (orgId: string) => `sso:${orgId}`;

/** Why an SSO sign-in ended on the sign-in page (the page translates each). */
export type SsoErrorCode =
  | "no_sso"
  | "invalid_email"
  | "unreachable"
  | "expired"
  | "provider"
  | "email_missing"
  | "email_unverified"
  | "unmapped"
  | "deactivated";

const FLOW_MINUTES = 10;
const STATE_COOKIE = "sso_state";

type Flow = { orgId: string; codeVerifier: string; nonce: string; next: string };

const domainOf = (email: string) => email.slice(email.lastIndexOf("@") + 1);
const normalEmail = (value: string) => value.trim().toLowerCase();
const looksLikeEmail = (value: string) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value) && value.length <= 254;
/** Only a path on this site (the same rule as apps/web/src/app/sign-in/next-path.ts). */
function safeNext(value: string | undefined): string {
  if (!value || value.length > 2000 || !value.startsWith("/") || value.startsWith("//")) return "/";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses.
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return "/";
  const probe = new URL(value, "http://next.invalid");
  return probe.origin === "http://next.invalid" ? `${probe.pathname}${probe.search}` : "/";
}

/** The enabled connection that routes this address's domain, if any. */
async function connectionForEmail(db: Database, email: string) {
  const [row] = await db
    .select({ connection: ssoConnections })
    .from(ssoDomains)
    .innerJoin(ssoConnections, eq(ssoConnections.orgId, ssoDomains.orgId))
    .where(and(eq(ssoDomains.domain, domainOf(email)), eq(ssoConnections.enabled, true)));
  return row?.connection ?? null;
}

async function recordError(db: Database, orgId: string, message: string) {
  await db
    .update(ssoConnections)
    .set({ lastError: message.slice(0, 1000), lastErrorAt: new Date() })
    .where(eq(ssoConnections.orgId, orgId));
}

/** The strongest role any of the user's claim values maps to, else the default (or null: refused). */
export function mappedRole(
  connection: { roleMapping: Record<string, OrgRole>; defaultRole: OrgRole | null },
  values: string[],
): OrgRole | null {
  const roles = values.map((value) => connection.roleMapping[value]).filter((role): role is OrgRole => !!role);
  if (roles.length === 0) return connection.defaultRole;
  return ORG_ROLES.find((role) => roles.includes(role)) ?? null;
}

/**
 * Makes the user a member with the mapped role, or updates the role (audited). A deactivated
 * member stays out; the organisation's last owner is never demoted by a claim.
 */
async function applyMembership(db: Database, orgId: string, userId: string, email: string, role: OrgRole) {
  return db.transaction(async (tx) => {
    const actor = { userId, label: `sso:${email}` };
    const [member] = await tx
      .select()
      .from(memberships)
      .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
      .for("update");
    if (member?.deactivatedAt) return "deactivated" as const;
    if (!member) {
      await tx.insert(memberships).values({ orgId, userId, role });
      await writeAudit(tx, {
        actor,
        orgId,
        action: "membership.sso_join",
        targetType: "user",
        targetId: userId,
        details: { role },
      });
      return "ok" as const;
    }
    if (member.role === role) return "ok" as const;
    if (member.role === "owner") {
      const [others] = await tx
        .select({ count: sql<number>`count(*)::int` })
        .from(memberships)
        .where(
          and(
            eq(memberships.orgId, orgId),
            eq(memberships.role, "owner"),
            isNull(memberships.deactivatedAt),
            ne(memberships.userId, userId),
          ),
        );
      if (!others?.count) return "ok" as const;
    }
    await tx.update(memberships).set({ role }).where(eq(memberships.id, member.id));
    await writeAudit(tx, {
      actor,
      orgId,
      action: "membership.sso_role_change",
      targetType: "user",
      targetId: userId,
      details: { from: member.role, to: role },
    });
    return "ok" as const;
  });
}

/**
 * Per-organisation OIDC single sign-on (issue #16.5), on openid-client: discovery, PKCE, state
 * and nonce, ID-token validation. `/sso/start?email=` routes the address's domain to its
 * organisation's IdP; `/sso/callback/:orgId` signs the user in (creating the user and the
 * membership if needed) or sends them back to the SSO page with an error code.
 */
export function ssoPlugin(deps: { db: Database; baseUrl: string }): BetterAuthPlugin {
  const { db } = deps;
  const origin = new URL(deps.baseUrl).origin;
  const redirectUri = (orgId: string) => `${origin}/api/auth${SSO_CALLBACK_PATH}/${orgId}`;
  const failed = (error: SsoErrorCode, extra: Record<string, string> = {}) =>
    `${origin}${SSO_PAGE}?${new URLSearchParams({ error, ...extra })}`;

  return {
    id: "consentry-sso",
    endpoints: {
      ssoStart: createAuthEndpoint(
        "/sso/start",
        {
          method: "GET",
          query: z.object({ email: z.string().max(300).optional(), next: z.string().max(2000).optional() }),
        },
        async (ctx) => {
          const email = normalEmail(ctx.query.email ?? "");
          const next = safeNext(ctx.query.next);
          const back = { email, ...(next !== "/" ? { next } : {}) };
          if (!looksLikeEmail(email)) throw ctx.redirect(failed("invalid_email", back));
          const connection = await connectionForEmail(db, email);
          if (!connection) throw ctx.redirect(failed("no_sso", back));
          let client: oidc.Configuration;
          try {
            client = await clientFor(connection);
          } catch (error) {
            await recordError(db, connection.orgId, `Discovery failed: ${providerFailure(error).message}`);
            throw ctx.redirect(failed("unreachable", back));
          }
          const state = oidc.randomState();
          const nonce = oidc.randomNonce();
          const codeVerifier = oidc.randomPKCECodeVerifier();
          const flow: Flow = { orgId: connection.orgId, codeVerifier, nonce, next };
          await ctx.context.internalAdapter.createVerificationValue({
            identifier: `sso-flow:${state}`,
            value: JSON.stringify(flow),
            expiresAt: new Date(Date.now() + FLOW_MINUTES * 60_000),
          });
          // The flow belongs to this browser: a callback with someone else's state is refused.
          const cookie = ctx.context.createAuthCookie(STATE_COOKIE, { maxAge: FLOW_MINUTES * 60 });
          await ctx.setSignedCookie(cookie.name, state, ctx.context.secret, cookie.attributes);
          const url = oidc.buildAuthorizationUrl(client, {
            redirect_uri: redirectUri(connection.orgId),
            scope: "openid email profile",
            state,
            nonce,
            code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
            code_challenge_method: "S256",
            login_hint: email,
          });
          throw ctx.redirect(url.href);
        },
      ),

      ssoCallback: createAuthEndpoint(
        `${SSO_CALLBACK_PATH}/:orgId`,
        { method: "GET", query: z.record(z.string(), z.string()).optional() },
        async (ctx) => {
          const query = ctx.query ?? {};
          const orgId = ctx.params.orgId;
          const cookie = ctx.context.createAuthCookie(STATE_COOKIE);
          const cookieState = await ctx.getSignedCookie(cookie.name, ctx.context.secret);
          ctx.setCookie(cookie.name, "", { ...cookie.attributes, maxAge: 0 });
          const state = query.state;
          if (!state || !cookieState || cookieState !== state) throw ctx.redirect(failed("expired"));
          const stored = await ctx.context.internalAdapter.consumeVerificationValue(`sso-flow:${state}`);
          const flow = stored ? (JSON.parse(stored.value) as Flow) : null;
          if (!flow || flow.orgId !== orgId) throw ctx.redirect(failed("expired"));

          const [connection] = await db
            .select()
            .from(ssoConnections)
            .where(and(eq(ssoConnections.orgId, orgId), eq(ssoConnections.enabled, true)));
          if (!connection) throw ctx.redirect(failed("no_sso"));

          let claims: Record<string, unknown>;
          try {
            const client = await clientFor(connection as SsoConnection);
            const current = new URL(redirectUri(orgId));
            for (const [key, value] of Object.entries(query)) current.searchParams.set(key, value);
            const tokens = await oidc.authorizationCodeGrant(client, current, {
              pkceCodeVerifier: flow.codeVerifier,
              expectedState: state,
              expectedNonce: flow.nonce,
              idTokenExpected: true,
            });
            const idClaims = tokens.claims() as Record<string, unknown>;
            claims = { ...idClaims };
            // Many providers (oidc-provider among them) put scope claims only in userinfo.
            const userinfo = await oidc
              .fetchUserInfo(client, tokens.access_token, String(idClaims.sub))
              .catch(() => null);
            if (userinfo) claims = { ...userinfo, ...idClaims, ...pick(userinfo, connection.roleClaim) };
          } catch (error) {
            const failure = providerFailure(error);
            await recordError(db, orgId, failure.message);
            throw ctx.redirect(failed("provider", { code: failure.code }));
          }

          const sub = String(claims.sub);
          const email = typeof claims.email === "string" ? normalEmail(claims.email) : "";
          if (!looksLikeEmail(email)) {
            await recordError(db, orgId, `The provider sent no email address for ${sub}.`);
            throw ctx.redirect(failed("email_missing"));
          }
          const domains = await db.select().from(ssoDomains).where(eq(ssoDomains.orgId, orgId));
          const ownDomain = domains.some((row) => row.domain === domainOf(email));
          if (!ownDomain && claims.email_verified !== true) {
            await recordError(db, orgId, `${email} is neither verified by the provider nor in your domains.`);
            throw ctx.redirect(failed("email_unverified"));
          }
          const values = claimValues(claims, connection.roleClaim);
          const role = mappedRole(connection, values);
          if (!role) {
            const seen = values.length ? values.join(", ") : "none";
            await recordError(
              db,
              orgId,
              `${email} was refused: no value of "${connection.roleClaim}" is mapped to a role (got: ${seen}) and there is no default role.`,
            );
            throw ctx.redirect(failed("unmapped"));
          }

          const adapter = ctx.context.internalAdapter;
          const providerId = ssoProviderId(orgId);
          const [linked] = await db
            .select({ userId: accounts.userId })
            .from(accounts)
            .where(and(eq(accounts.providerId, providerId), eq(accounts.accountId, sub)));
          let userId = linked?.userId;
          if (!userId) {
            // The same person already has an account (a password, another organisation): keep it.
            const existing = await adapter.findUserByEmail(email);
            // Taking over an existing account needs an address in the organisation's own domains:
            // another organisation's IdP vouching for someone's address is not enough.
            if (existing && !ownDomain) {
              await recordError(db, orgId, `${email} already has an account and is not in your domains.`);
              throw ctx.redirect(failed("email_unverified"));
            }
            const user =
              existing?.user ??
              (await adapter.createUser(
                {
                  email,
                  name: typeof claims.name === "string" && claims.name ? claims.name : email,
                  emailVerified: true,
                },
                { method: "sso-oidc", sso: { providerId, profile: claims } },
              ));
            await adapter.linkAccount({ userId: user.id, providerId, accountId: sub });
            userId = user.id;
          }
          if ((await applyMembership(db, orgId, userId, email, role)) === "deactivated") {
            throw ctx.redirect(failed("deactivated"));
          }
          const user = await adapter.findUserById(userId);
          if (!user) throw ctx.redirect(failed("expired"));
          const session = await adapter.createSession(user.id);
          await setSessionCookie(ctx, { session, user });
          throw ctx.redirect(`${origin}${flow.next}`);
        },
      ),
    },
  };
}

/** The role claim from userinfo wins over an ID token without it. */
function pick(source: Record<string, unknown>, claim: string): Record<string, unknown> {
  const name = claim.split(".")[0] as string;
  return name in source ? { [name]: source[name] } : {};
}

/**
 * Why a password sign-in for this address is refused (its organisation requires SSO), or null.
 * Called before Better Auth checks the password.
 */
export async function passwordSignInRefusal(db: Database, email: string): Promise<string | null> {
  const address = normalEmail(email);
  if (!address.includes("@")) return null;
  const [row] = await db
    .select({ name: schema.organizations.name })
    .from(ssoDomains)
    .innerJoin(ssoConnections, eq(ssoConnections.orgId, ssoDomains.orgId))
    .innerJoin(schema.organizations, eq(schema.organizations.id, ssoDomains.orgId))
    .where(
      and(
        eq(ssoDomains.domain, domainOf(address)),
        eq(ssoConnections.enabled, true),
        eq(ssoConnections.required, true),
      ),
    );
  return row ? `${row.name} requires single sign-on: sign in with your organisation's account.` : null;
}
