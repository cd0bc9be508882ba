import { createHmac, randomBytes } from "node:crypto";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import {
  type AuthServices,
  createAuth,
  createUserWithPassword,
  listOwnSessions,
  revokeOwnSession,
  setTwoFactorRequired,
  twoFactorPolicy,
  twoFactorSetupRequired,
} from "./index";

// The real Better Auth handler (with its twoFactor plugin) over real PostgreSQL, limits in real
// Redis. Codes are computed here from the secret in the otpauth URI, as an authenticator app does
// (RFC 6238, independent of the plugin's own code).

const baseUrl = "http://localhost:3000";
const password = "correct horse battery staple";
const mailer = { send: async () => {} };
const redis = new Redis(env.REDIS_URL);
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
  redis.disconnect();
});

const unique = () => randomBytes(4).toString("hex");
const authWith = (options: Omit<AuthServices, "redis" | "mailer"> = {}) =>
  createAuth(testDb.db, { baseUrl, redis, mailer, prefix: `test-2fa-${unique()}`, ...options });
type TestAuth = ReturnType<typeof authWith>;

/** A browser: keeps the cookies Better Auth sets, as a real one would. */
class Browser {
  private cookies = new Map<string, string>();
  constructor(
    private auth: TestAuth,
    /** The client address Better Auth limits by; a test may move it. */
    public address = "203.0.113.40",
  ) {}
  get cookie() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }
  async post(path: string, body: unknown = {}) {
    const response = await this.auth.handler(
      new Request(`${baseUrl}/api/auth${path}`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          origin: baseUrl,
          cookie: this.cookie,
          [CLIENT_ADDRESS_HEADER]: this.address,
        },
        body: JSON.stringify(body),
      }),
    );
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const [name = "", value = ""] = pair.split("=");
      const expired = attributes.some((a) => /max-age=0/i.test(a.trim())) || value === "";
      if (expired) this.cookies.delete(name.trim());
      else this.cookies.set(name.trim(), value);
    }
    return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> };
  }
  async session() {
    return this.auth.api.getSession({ headers: new Headers({ cookie: this.cookie }) });
  }
}

async function newUser() {
  const email = `user-${unique()}@example.cn`;
  const id = await createUserWithPassword(testDb.db, { email, name: "2FA Test", password });
  return { email, id };
}

function base32Decode(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const char of text.replace(/=+$/, "").toUpperCase()) bits += alphabet.indexOf(char).toString(2).padStart(5, "0");
  return Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => Number.parseInt(byte, 2)));
}

/** The six-digit TOTP code for a base32 secret, `steps` periods from now (RFC 6238, SHA-1, 30 s). */
function totp(secret: string, steps = 0): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000) + steps));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}

async function signedIn(auth: TestAuth, email: string) {
  const browser = new Browser(auth);
  const answer = await browser.post("/sign-in/email", { email, password });
  expect(answer.status).toBe(200);
  return browser;
}

/** Enables two-factor through the real endpoints; answers the secret and the backup codes. */
async function enableTwoFactor(browser: Browser) {
  const enabled = await browser.post("/two-factor/enable", { password });
  expect(enabled.status).toBe(200);
  const uri = new URL(String(enabled.body.totpURI));
  const secret = uri.searchParams.get("secret") ?? "";
  expect((await browser.post("/two-factor/verify-totp", { code: totp(secret) })).status).toBe(200);
  return { secret, backupCodes: enabled.body.backupCodes as string[], uri };
}

const actionsFor = async (userId: string) =>
  (await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, userId))).map((e) => e.action);

describe("two-factor (TOTP)", () => {
  it("enables only with the password and a correct code, then asks every sign-in for a code", async () => {
    const auth = authWith();
    const user = await newUser();
    const browser = await signedIn(auth, user.email);

    const wrongPassword = await browser.post("/two-factor/enable", { password: "not the password" });
    expect(wrongPassword.status).toBe(400);
    expect(wrongPassword.body.code).toBe("INVALID_PASSWORD");

    const enabled = await browser.post("/two-factor/enable", { password });
    expect(enabled.status).toBe(200);
    const uri = new URL(String(enabled.body.totpURI));
    expect(uri.protocol).toBe("otpauth:");
    expect(decodeURIComponent(uri.pathname)).toContain(`Consentry:${user.email}`);
    const secret = uri.searchParams.get("secret") ?? "";
    expect(enabled.body.backupCodes).toHaveLength(10);

    // Not on until a code from the app is verified; a wrong one changes nothing.
    const wrongCode = await browser.post("/two-factor/verify-totp", { code: totp(secret, 10) });
    expect(wrongCode.status).toBe(401);
    expect(wrongCode.body.code).toBe("INVALID_CODE");
    const [before] = await testDb.db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(before?.twoFactorEnabled).toBe(false);
    expect((await browser.post("/two-factor/verify-totp", { code: totp(secret) })).status).toBe(200);
    const [after] = await testDb.db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(after?.twoFactorEnabled).toBe(true);
    expect(await browser.session()).not.toBeNull(); // the set-up keeps the user signed in

    // The stored secret is encrypted, never the one in the URI.
    const [stored] = await testDb.db.select().from(schema.twoFactors).where(eq(schema.twoFactors.userId, user.id));
    expect(stored?.secret).not.toContain(secret);

    // Next sign-in: the password alone gives no session, only the second step.
    const next = new Browser(auth);
    const first = await next.post("/sign-in/email", { email: user.email, password });
    expect(first.status).toBe(200);
    expect(first.body.twoFactorRedirect).toBe(true);
    expect(await next.session()).toBeNull();
    const refused = await next.post("/two-factor/verify-totp", { code: totp(secret, -10) });
    expect(refused.status).toBe(401);
    expect(await next.session()).toBeNull();
    expect((await next.post("/two-factor/verify-totp", { code: totp(secret) })).status).toBe(200);
    expect((await next.session())?.user.id).toBe(user.id);

    const actions = await actionsFor(user.id);
    expect(actions).toContain("user.two_factor.enabled");
    // Two sign-ins: the first, and the second once its code was given (the set-up is none).
    expect(actions.filter((action) => action === "auth.sign_in")).toHaveLength(2);
  }, 30_000);

  it("takes each backup code once, and a regenerated set replaces the old one", async () => {
    const auth = authWith();
    const user = await newUser();
    const { backupCodes } = await enableTwoFactor(await signedIn(auth, user.email));
    const [code, other] = backupCodes;

    const first = new Browser(auth);
    expect((await first.post("/sign-in/email", { email: user.email, password })).body.twoFactorRedirect).toBe(true);
    expect((await first.post("/two-factor/verify-backup-code", { code })).status).toBe(200);
    expect((await first.session())?.user.id).toBe(user.id);

    const second = new Browser(auth);
    await second.post("/sign-in/email", { email: user.email, password });
    const reused = await second.post("/two-factor/verify-backup-code", { code });
    expect(reused.status).toBe(401);
    expect(reused.body.code).toBe("INVALID_BACKUP_CODE");
    expect(await second.session()).toBeNull();

    // New codes (password needed); the old unused ones stop working.
    expect((await first.post("/two-factor/generate-backup-codes", { password: "wrong password!" })).status).toBe(400);
    const fresh = await first.post("/two-factor/generate-backup-codes", { password });
    expect(fresh.status).toBe(200);
    expect(fresh.body.backupCodes).toHaveLength(10);
    const third = new Browser(auth);
    await third.post("/sign-in/email", { email: user.email, password });
    expect((await third.post("/two-factor/verify-backup-code", { code: other })).status).toBe(401);
    const newCode = (fresh.body.backupCodes as string[])[0];
    expect((await third.post("/two-factor/verify-backup-code", { code: newCode })).status).toBe(200);

    const actions = await actionsFor(user.id);
    expect(actions.filter((a) => a === "user.two_factor.backup_code_used")).toHaveLength(2);
    expect(actions).toContain("user.two_factor.backup_codes_regenerated");
    expect(JSON.stringify(await testDb.db.select().from(schema.auditLog))).not.toContain(String(code));
  }, 30_000);

  it("ends a sign-in challenge after 5 wrong codes", async () => {
    const auth = authWith();
    const user = await newUser();
    const { secret } = await enableTwoFactor(await signedIn(auth, user.email));
    const browser = new Browser(auth);
    await browser.post("/sign-in/email", { email: user.email, password });
    for (let attempt = 0; attempt < 5; attempt++)
      expect((await browser.post("/two-factor/verify-totp", { code: totp(secret, 20 + attempt) })).status).toBe(401);
    // Even the right code no longer works: the password must be given again.
    const afterwards = await browser.post("/two-factor/verify-totp", { code: totp(secret) });
    expect(afterwards.status).not.toBe(200);
    expect(await browser.session()).toBeNull();
  }, 30_000);

  it("disables only with the password, and sign-in needs no code afterwards", async () => {
    const auth = authWith();
    const user = await newUser();
    const browser = await signedIn(auth, user.email);
    await enableTwoFactor(browser);
    expect((await browser.post("/two-factor/disable", { password: "not the password" })).status).toBe(400);
    expect((await browser.post("/two-factor/disable", { password })).status).toBe(200);
    const [row] = await testDb.db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(row?.twoFactorEnabled).toBe(false);
    expect(await testDb.db.select().from(schema.twoFactors).where(eq(schema.twoFactors.userId, user.id))).toEqual([]);
    const again = new Browser(auth);
    const answer = await again.post("/sign-in/email", { email: user.email, password });
    expect(answer.body.twoFactorRedirect).toBeUndefined();
    expect(await again.session()).not.toBeNull();
    expect(await actionsFor(user.id)).toContain("user.two_factor.disabled");
  }, 30_000);

  it("tells whether an organisation's member must set it up first, and keeps it on for them", async () => {
    const auth = authWith();
    const user = await newUser();
    const [org] = await testDb.db
      .insert(schema.organizations)
      .values({ name: `Org ${unique()}`, slug: `org-${unique()}` })
      .returning();
    const orgId = org?.id as string;
    expect(await twoFactorSetupRequired(testDb.db, user.id, orgId)).toBe(false);
    await testDb.db
      .update(schema.organizations)
      .set({ requireTwoFactor: true })
      .where(eq(schema.organizations.id, orgId));
    expect(await twoFactorSetupRequired(testDb.db, user.id, orgId)).toBe(true);
    const browser = await signedIn(auth, user.email);
    await enableTwoFactor(browser);
    expect(await twoFactorSetupRequired(testDb.db, user.id, orgId)).toBe(false);
    expect(await twoFactorSetupRequired(testDb.db, user.id, crypto.randomUUID())).toBe(false);

    // A member keeps it while the organisation requires it.
    await testDb.db.insert(schema.memberships).values({ orgId, userId: user.id, role: "operator" });
    const refused = await browser.post("/two-factor/disable", { password });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe("TWO_FACTOR_REQUIRED");
    const [row] = await testDb.db.select().from(schema.users).where(eq(schema.users.id, user.id));
    expect(row?.twoFactorEnabled).toBe(true);
  }, 30_000);
});

describe("passwords and sessions in the profile", () => {
  it("changes the password only past the policy, ends the other sessions and audits it", async () => {
    const auth = authWith();
    const user = await newUser();
    const laptop = await signedIn(auth, user.email);
    const phone = await signedIn(auth, user.email);
    let attempt = 0;
    // Better Auth allows 3 password changes per 10 s per address; each attempt comes from its own.
    const change = (newPassword: string) => {
      laptop.address = `203.0.113.${50 + ++attempt}`;
      return laptop.post("/change-password", { currentPassword: password, newPassword, revokeOtherSessions: true });
    };

    expect((await change("short")).body.code).toBe("PASSWORD_TOO_SHORT");
    const breached = await change("Password123");
    expect(breached.status).toBe(400);
    expect(breached.body.code).toBe("PASSWORD_BREACHED");
    const local = user.email.split("@")[0] ?? "";
    expect((await change(`${local.toUpperCase()}-and-more`)).body.code).toBe("PASSWORD_CONTAINS_EMAIL");
    expect((await change("x".repeat(129))).body.code).toBe("PASSWORD_TOO_LONG");
    laptop.address = "203.0.113.60";
    const wrongCurrent = await laptop.post("/change-password", {
      currentPassword: "not the password",
      newPassword: "a fine new passphrase",
    });
    expect(wrongCurrent.body.code).toBe("INVALID_PASSWORD");
    expect(await actionsFor(user.id)).not.toContain("user.password.changed");

    expect((await change("a fine new passphrase")).status).toBe(200);
    expect(await laptop.session()).not.toBeNull();
    expect(await phone.session()).toBeNull();
    const entries = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.targetId, user.id), eq(schema.auditLog.action, "user.password.changed")));
    expect(entries).toHaveLength(1);
    expect(entries[0]?.details).toEqual({ otherSessionsEnded: true });
    expect((await actionsFor(user.id)).filter((action) => action === "auth.sign_in")).toHaveLength(2);
    expect(JSON.stringify(entries)).not.toContain("a fine new passphrase");
  }, 30_000);

  it("refuses a breached password on the reset link too", async () => {
    const auth = authWith();
    const user = await newUser();
    const token = `t${unique()}${unique()}`;
    await testDb.db.insert(schema.verifications).values({
      id: crypto.randomUUID(),
      identifier: `reset-password:${token}`,
      value: user.id,
      expiresAt: new Date(Date.now() + 60_000),
    });
    const browser = new Browser(auth);
    const breached = await browser.post("/reset-password", { token, newPassword: "qwertyuiop" });
    expect(breached.status).toBe(400);
    expect(breached.body.code).toBe("PASSWORD_BREACHED");
    const named = await browser.post("/reset-password", { token, newPassword: `my ${user.email} pass` });
    expect(named.body.code).toBe("PASSWORD_CONTAINS_EMAIL");
    expect((await browser.post("/reset-password", { token, newPassword: "a good new passphrase" })).status).toBe(200);
  }, 30_000);

  it("revokes the other sessions, and audits it", async () => {
    const auth = authWith();
    const user = await newUser();
    const laptop = await signedIn(auth, user.email);
    const phone = await signedIn(auth, user.email);
    const tablet = await signedIn(auth, user.email);
    const phoneToken = (await phone.session())?.session.token;
    expect((await laptop.post("/revoke-session", { token: phoneToken })).status).toBe(200);
    expect(await phone.session()).toBeNull();
    expect(await tablet.session()).not.toBeNull();
    expect((await laptop.post("/revoke-other-sessions")).status).toBe(200);
    expect(await tablet.session()).toBeNull();
    expect(await laptop.session()).not.toBeNull();
    const actions = await actionsFor(user.id);
    expect(actions).toContain("user.session.revoked");
    expect(actions).toContain("user.sessions.revoked_others");
  }, 30_000);
});

describe("the organisation's two-factor rule (security router)", () => {
  it("counts the active members without it, refuses an owner without it, and audits a change", async () => {
    const auth = authWith();
    const owner = await newUser();
    const member = await newUser();
    const leaver = await newUser();
    const [org] = await testDb.db
      .insert(schema.organizations)
      .values({ name: `Org ${unique()}`, slug: `org-${unique()}` })
      .returning();
    const orgId = org?.id as string;
    await testDb.db.insert(schema.memberships).values([
      { orgId, userId: owner.id, role: "owner" },
      { orgId, userId: member.id, role: "operator" },
      { orgId, userId: leaver.id, role: "operator", deactivatedAt: new Date() },
    ]);
    expect(await twoFactorPolicy(testDb.db, orgId)).toEqual({
      required: false,
      members: 2,
      membersWithoutTwoFactor: 2,
    });

    const actor = { userId: owner.id, label: owner.email };
    expect(await setTwoFactorRequired({ db: testDb.db, actor, orgId }, true)).toBe("ownerWithoutTwoFactor");
    expect((await twoFactorPolicy(testDb.db, orgId)).required).toBe(false);
    expect(await actionsFor(orgId)).toEqual([]);

    await enableTwoFactor(await signedIn(auth, owner.email));
    expect(await setTwoFactorRequired({ db: testDb.db, actor, orgId }, true)).toBe("ok");
    expect(await twoFactorPolicy(testDb.db, orgId)).toEqual({ required: true, members: 2, membersWithoutTwoFactor: 1 });
    expect(await twoFactorSetupRequired(testDb.db, member.id, orgId)).toBe(true);
    expect(await twoFactorSetupRequired(testDb.db, owner.id, orgId)).toBe(false);
    expect(await setTwoFactorRequired({ db: testDb.db, actor, orgId }, false)).toBe("ok");
    expect(await actionsFor(orgId)).toEqual(["organization.two_factor.required", "organization.two_factor.optional"]);
  }, 30_000);

  it("lists the user's own sessions without tokens and revokes only their own", async () => {
    const auth = authWith();
    const user = await newUser();
    const other = await newUser();
    const laptop = await signedIn(auth, user.email);
    const stranger = await signedIn(auth, other.email);
    const sessions = await listOwnSessions(testDb.db, user.id);
    expect(sessions).toHaveLength(1);
    expect(JSON.stringify(sessions)).not.toContain((await laptop.session())?.session.token);
    const strangerId = (await stranger.session())?.session.id as string;
    const actor = { userId: user.id, label: user.email };
    expect(await revokeOwnSession({ db: testDb.db, actor }, strangerId)).toBe(false);
    expect(await stranger.session()).not.toBeNull();
    expect(await revokeOwnSession({ db: testDb.db, actor }, sessions[0]?.id as string)).toBe(true);
    expect(await laptop.session()).toBeNull();
    expect(await actionsFor(user.id)).toContain("user.session.revoked");
  }, 30_000);
});
