import { decryptString, SSO_CLIENT_SECRET_CONTEXT } from "@consentry/crypto";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeOrganization, TEST_ACTOR, unique } from "../testing";
import { getSsoSettings, issuerProblem, removeSsoConnection, saveSsoSettings, ssoSettingsFields } from "./index";

// The owner's SSO settings over real PostgreSQL (the sign-in itself: packages/auth/src/sso.test.ts).

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

const fields = (overrides: Record<string, unknown> = {}) =>
  ssoSettingsFields.parse({
    issuer: "https://login.example.com",
    clientIdentifier: "consentry",
    clientSecret: "s3cret-value",
    domains: ["example.com"],
    roleClaim: "groups",
    roleMapping: [{ claimValue: "cctv", role: "operator" }],
    defaultRole: null,
    required: false,
    enabled: true,
    ...overrides,
  });

describe("SSO settings fields", () => {
  it("takes https issuers, and http only for loopback outside production", () => {
    expect(issuerProblem("https://login.example.com", "production")).toBeNull();
    expect(issuerProblem("http://login.example.com", "test")).toBe("ssoIssuerHttps");
    expect(issuerProblem("http://127.0.0.1:4000", "test")).toBeNull();
    expect(issuerProblem("http://localhost:4000", "development")).toBeNull();
    expect(issuerProblem("http://127.0.0.1:4000", "production")).toBe("ssoIssuerHttps");
    expect(issuerProblem("https://user:pw@idp.example.com", "test")).toBe("ssoIssuerInvalid");
    expect(issuerProblem("ftp://idp.example.com", "test")).toBe("ssoIssuerHttps");
    expect(issuerProblem("not a url", "test")).toBe("ssoIssuerInvalid");
  });

  it("lower-cases domains, refuses non-hostnames, duplicates in the mapping and unknown keys", () => {
    expect(fields({ domains: ["Example.COM", "example.com", " hq.example.com "] }).domains).toEqual([
      "example.com",
      "hq.example.com",
    ]);
    const bad = ssoSettingsFields.safeParse({ ...fields(), domains: ["exa mple.com", "localhost"] });
    expect(bad.success ? [] : bad.error.issues.map((issue) => issue.message)).toEqual([
      "ssoDomainInvalid",
      "ssoDomainInvalid",
    ]);
    const twice = ssoSettingsFields.safeParse({
      ...fields(),
      roleMapping: [
        { claimValue: "a", role: "owner" },
        { claimValue: "a", role: "auditor" },
      ],
    });
    expect(twice.success ? null : twice.error.issues[0]?.message).toBe("ssoMappingDuplicate");
    expect(ssoSettingsFields.safeParse({ ...fields(), extra: 1 }).success).toBe(false);
    const http = ssoSettingsFields.safeParse({ ...fields(), issuer: "http://idp.example.com" });
    expect(http.success ? null : http.error.issues[0]?.message).toBe("ssoIssuerHttps");
  });
});

describe("SSO settings", () => {
  it("saves with the secret encrypted and never returned or audited; keeps it when not replaced", async () => {
    const org = await makeOrganization(testDb.db, unique("sso"));
    const deps = { db: testDb.db, actor: TEST_ACTOR, orgId: org.id };
    const domain = `${unique("d")}.example.com`;
    await saveSsoSettings(deps, fields({ domains: [domain] }));
    const shown = await getSsoSettings(deps);
    expect(shown).toMatchObject({ configured: true, clientSecretSet: true, domains: [domain] });
    expect(JSON.stringify(shown)).not.toContain("s3cret-value");
    const [row] = await testDb.db.select().from(schema.ssoConnections).where(eq(schema.ssoConnections.orgId, org.id));
    expect(decryptString(row?.clientSecretEnc as string, SSO_CLIENT_SECRET_CONTEXT)).toBe("s3cret-value");

    await saveSsoSettings(deps, fields({ domains: [domain], clientSecret: null, required: true }));
    const [kept] = await testDb.db.select().from(schema.ssoConnections).where(eq(schema.ssoConnections.orgId, org.id));
    expect(kept?.clientSecretEnc).toBe(row?.clientSecretEnc);
    expect(kept?.required).toBe(true);
    const audit = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.orgId, org.id));
    expect(audit.map((entry) => entry.action)).toEqual(["sso.connection.create", "sso.connection.update"]);
    expect(JSON.stringify(audit)).not.toContain("s3cret-value");
  });

  it("a first save needs the secret", async () => {
    const org = await makeOrganization(testDb.db, unique("sso"));
    await expect(
      saveSsoSettings({ db: testDb.db, actor: TEST_ACTOR, orgId: org.id }, fields({ clientSecret: null })),
    ).rejects.toMatchObject({ kind: "invalid", field: "clientSecret", reason: "ssoSecretRequired" });
  });

  it("refuses a domain another organisation signs in with, and changes nothing", async () => {
    const [first, second] = [
      await makeOrganization(testDb.db, unique("sso")),
      await makeOrganization(testDb.db, unique("sso")),
    ];
    const domain = `${unique("shared")}.example.com`;
    await saveSsoSettings({ db: testDb.db, actor: TEST_ACTOR, orgId: first.id }, fields({ domains: [domain] }));
    await expect(
      saveSsoSettings({ db: testDb.db, actor: TEST_ACTOR, orgId: second.id }, fields({ domains: [domain] })),
    ).rejects.toMatchObject({ kind: "conflict", field: "domains", reason: "ssoDomainTaken" });
    expect(await getSsoSettings({ db: testDb.db, orgId: second.id })).toMatchObject({ configured: false });
  });

  it("removes the connection and its domains (audited); removing nothing is NOT_FOUND", async () => {
    const org = await makeOrganization(testDb.db, unique("sso"));
    const deps = { db: testDb.db, actor: TEST_ACTOR, orgId: org.id };
    const domain = `${unique("gone")}.example.com`;
    await saveSsoSettings(deps, fields({ domains: [domain] }));
    await removeSsoConnection(deps);
    expect(await testDb.db.select().from(schema.ssoDomains).where(eq(schema.ssoDomains.domain, domain))).toEqual([]);
    await expect(removeSsoConnection(deps)).rejects.toMatchObject({ kind: "notFound" });
  });
});
