import { encryptString, SSO_CLIENT_SECRET_CONTEXT } from "@consentry/crypto";
import { type AuditActor, and, asc, type Database, eq, inArray, ne, schema, writeAudit } from "@consentry/db";
import { env } from "@consentry/env";
import { DomainError, fieldError, isUniqueViolation } from "../errors";
import type { SsoSettingsFields } from "./fields";
import { discoverIssuer } from "./oidc";

const { ssoConnections, ssoDomains } = schema;

type Deps = { db: Database; actor: AuditActor; orgId: string };

/** Where the IdP sends the user back; the owner registers it at the IdP (packages/auth/src/sso.ts). */
export function ssoRedirectUri(orgId: string, baseUrl = env.BETTER_AUTH_URL): string {
  return `${new URL(baseUrl).origin}/api/auth/sso/callback/${orgId}`;
}

/** The organisation's SSO settings for its owner; the client secret only as "set". */
export async function getSsoSettings(deps: { db: Database; orgId: string }) {
  const [connection] = await deps.db.select().from(ssoConnections).where(eq(ssoConnections.orgId, deps.orgId));
  const redirectUri = ssoRedirectUri(deps.orgId);
  if (!connection) return { configured: false as const, redirectUri };
  const domains = await deps.db
    .select({ domain: ssoDomains.domain })
    .from(ssoDomains)
    .where(eq(ssoDomains.orgId, deps.orgId))
    .orderBy(asc(ssoDomains.domain));
  return {
    configured: true as const,
    redirectUri,
    issuer: connection.issuer,
    clientIdentifier: connection.clientId,
    clientSecretSet: connection.clientSecretEnc.length > 0,
    domains: domains.map((row) => row.domain),
    roleClaim: connection.roleClaim,
    roleMapping: Object.entries(connection.roleMapping).map(([claimValue, role]) => ({ claimValue, role })),
    defaultRole: connection.defaultRole,
    required: connection.required,
    enabled: connection.enabled,
    lastError: connection.lastError,
    lastErrorAt: connection.lastErrorAt,
    updatedAt: connection.updatedAt,
  };
}

/**
 * Creates or replaces the organisation's SSO connection and its email domains. The secret is
 * encrypted and never audited; a domain another organisation routes is refused by name.
 */
export async function saveSsoSettings(deps: Deps, input: SsoSettingsFields) {
  try {
    return await saveInTransaction(deps, input);
  } catch (error) {
    // Another organisation claimed the domain between our check and our insert.
    if (isUniqueViolation(error, "sso_domains_pkey")) {
      throw fieldError(
        "conflict",
        "domains",
        "ssoDomainTaken",
        "Another organisation already signs in with this domain.",
      );
    }
    throw error;
  }
}

function saveInTransaction(deps: Deps, input: SsoSettingsFields) {
  return deps.db.transaction(async (tx) => {
    const [existing] = await tx.select().from(ssoConnections).where(eq(ssoConnections.orgId, deps.orgId)).for("update");
    if (!existing && !input.clientSecret) {
      throw fieldError("invalid", "clientSecret", "ssoSecretRequired", "Enter the client secret.");
    }
    const taken = await tx
      .select({ domain: ssoDomains.domain })
      .from(ssoDomains)
      .where(and(inArray(ssoDomains.domain, input.domains), ne(ssoDomains.orgId, deps.orgId)));
    if (taken.length > 0) {
      const names = taken.map((row) => row.domain).join(", ");
      throw fieldError(
        "conflict",
        "domains",
        "ssoDomainTaken",
        `Another organisation already signs in with ${names}; a domain belongs to one organisation.`,
      );
    }
    const values = {
      issuer: input.issuer,
      clientId: input.clientIdentifier,
      roleClaim: input.roleClaim,
      roleMapping: Object.fromEntries(input.roleMapping.map((row) => [row.claimValue, row.role])),
      defaultRole: input.defaultRole,
      required: input.required,
      enabled: input.enabled,
      ...(input.clientSecret ? { clientSecretEnc: encryptString(input.clientSecret, SSO_CLIENT_SECRET_CONTEXT) } : {}),
    };
    if (existing) {
      // A changed provider or secret makes the last sign-in error stale.
      const reset =
        input.clientSecret || existing.issuer !== input.issuer || existing.clientId !== input.clientIdentifier;
      await tx
        .update(ssoConnections)
        .set({ ...values, ...(reset ? { lastError: null, lastErrorAt: null } : {}), updatedAt: new Date() })
        .where(eq(ssoConnections.orgId, deps.orgId));
    } else {
      await tx
        .insert(ssoConnections)
        .values({ ...values, orgId: deps.orgId, clientSecretEnc: values.clientSecretEnc as string });
    }
    const before = existing
      ? (await tx.select().from(ssoDomains).where(eq(ssoDomains.orgId, deps.orgId))).map((row) => row.domain)
      : [];
    await tx.delete(ssoDomains).where(eq(ssoDomains.orgId, deps.orgId));
    await tx.insert(ssoDomains).values(input.domains.map((domain) => ({ domain, orgId: deps.orgId })));
    const { clientSecret: _secret, ...shown } = input;
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: existing ? "sso.connection.update" : "sso.connection.create",
      targetType: "sso_connection",
      targetId: deps.orgId,
      details: {
        ...shown,
        clientSecretReplaced: Boolean(input.clientSecret),
        domainsAdded: input.domains.filter((domain) => !before.includes(domain)),
        domainsRemoved: before.filter((domain) => !input.domains.includes(domain)),
      },
    });
    return { saved: true as const };
  });
}

/** Removes the connection and its domains; members sign in with passwords again. */
export async function removeSsoConnection(deps: Deps) {
  return deps.db.transaction(async (tx) => {
    const [removed] = await tx
      .delete(ssoConnections)
      .where(eq(ssoConnections.orgId, deps.orgId))
      .returning({ issuer: ssoConnections.issuer, clientId: ssoConnections.clientId });
    if (!removed) throw new DomainError("notFound", "This organisation has no single sign-on set up.");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "sso.connection.remove",
      targetType: "sso_connection",
      targetId: deps.orgId,
      details: removed,
    });
    return { removed: true as const };
  });
}

/**
 * Runs discovery against the saved issuer and reports the provider's answer plainly. Audited,
 * as it makes the server call out; it changes nothing else.
 */
export async function testSsoConnection(deps: Deps) {
  const [connection] = await deps.db.select().from(ssoConnections).where(eq(ssoConnections.orgId, deps.orgId));
  if (!connection) throw new DomainError("notFound", "Save the single sign-on settings first.");
  const outcome = await discoverIssuer(connection.issuer, connection.clientId);
  await deps.db.transaction((tx) =>
    writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "sso.connection.test",
      targetType: "sso_connection",
      targetId: deps.orgId,
      details: { issuer: connection.issuer, ok: outcome.ok, message: outcome.ok ? null : outcome.message },
    }),
  );
  return outcome;
}
