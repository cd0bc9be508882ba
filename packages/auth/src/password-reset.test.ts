import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { createMailer } from "@consentry/mail";
import { readMailbox, startDevMailServer } from "@consentry/mail/dev-server";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLIENT_ADDRESS_HEADER } from "./client-address";
import { type AuthServices, createAuth, createUserWithPassword, resetLinkState } from "./index";

// The real Better Auth handler over real PostgreSQL, limits in real Redis (a prefix of this run)
// and the link through a real in-process SMTP server.

const baseUrl = "http://localhost:3000";
const password = "correct horse battery staple";
const newPassword = "a brand new passphrase";
const mailDir = mkdtempSync(join(tmpdir(), "consentry-reset-"));
const redis = new Redis(env.REDIS_URL);
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let smtp: Awaited<ReturnType<typeof startDevMailServer>>;
let mailer: ReturnType<typeof createMailer>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  smtp = await startDevMailServer({ dir: mailDir });
  mailer = createMailer(smtp.url, "Consentry <no-reply@consentry.local>");
});
afterAll(async () => {
  mailer?.close();
  await smtp?.stop();
  await testDb?.drop();
  redis.disconnect();
  await rm(mailDir, { recursive: true, force: true });
});

const unique = () => randomBytes(4).toString("hex");
const authWith = (options: Omit<AuthServices, "redis" | "mailer"> = {}) =>
  createAuth(testDb.db, { baseUrl, redis, mailer, prefix: `test-reset-${unique()}`, ...options });
type TestAuth = ReturnType<typeof authWith>;

async function newUser() {
  const email = `user-${unique()}@example.cn`;
  const id = await createUserWithPassword(testDb.db, { email, name: "Reset Test", password });
  return { email, id };
}

async function post(auth: TestAuth, path: string, body: unknown, address = "203.0.113.20") {
  const response = await auth.handler(
    new Request(`${baseUrl}/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl, [CLIENT_ADDRESS_HEADER]: address },
      body: JSON.stringify(body),
    }),
  );
  const cookie = response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  return {
    status: response.status,
    body: (await response.json().catch(() => null)) as Record<string, unknown>,
    cookie,
  };
}

const mailsTo = async (email: string) =>
  (await readMailbox(mailDir, 1000)).filter((mail) => mail.to === email && mail.subject.includes("reset"));
async function linkFor(email: string) {
  await expect.poll(async () => (await mailsTo(email)).length, { timeout: 10_000 }).toBeGreaterThan(0);
  const [mail] = await mailsTo(email);
  const token = /\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail?.text ?? "")?.[1];
  if (!token) throw new Error("no reset link in the mail");
  return { mail, token };
}

describe("password reset", () => {
  it("answers an unknown address exactly as a known one, and mails only the known one", async () => {
    const auth = authWith();
    const known = await newUser();
    const stranger = `nobody-${unique()}@example.cn`;
    const forKnown = await post(auth, "/request-password-reset", { email: known.email });
    const forStranger = await post(auth, "/request-password-reset", { email: stranger });
    expect(forKnown.status).toBe(200);
    expect(forStranger).toEqual(forKnown);

    const { mail } = await linkFor(known.email);
    expect(mail?.subject).toContain("reset your password");
    expect(mail?.text).toContain(`${baseUrl}/reset-password?token=`);
    expect(mail?.text).toContain("30 分钟内有效");
    expect(await mailsTo(known.email)).toHaveLength(1);
    expect(await mailsTo(stranger)).toHaveLength(0);
  }, 20_000);

  it("sets the new password once, ends every session, clears a lock and audits without secrets", async () => {
    const auth = authWith({ limits: { maxFailures: 2 } });
    const user = await newUser();
    const laptop = await post(auth, "/sign-in/email", { email: user.email, password });
    const phone = await post(auth, "/sign-in/email", { email: user.email, password });
    expect(await auth.api.getSession({ headers: new Headers({ cookie: laptop.cookie }) })).not.toBeNull();
    // Someone guessed until the account locked; its holder resets the password.
    expect((await post(auth, "/sign-in/email", { email: user.email, password: "guess-1" })).status).toBe(401);
    expect((await post(auth, "/sign-in/email", { email: user.email, password: "guess-2" })).status).toBe(423);

    await post(auth, "/request-password-reset", { email: user.email.toUpperCase() });
    const { token } = await linkFor(user.email);
    expect(await resetLinkState(auth, token)).toBe("valid");

    // Too short: refused, and the link still works.
    const short = await post(auth, "/reset-password", { token, newPassword: "short" });
    expect(short.status).toBe(400);
    expect(short.body.code).toBe("PASSWORD_TOO_SHORT");

    expect((await post(auth, "/reset-password", { token, newPassword })).status).toBe(200);
    for (const device of [laptop, phone])
      expect(await auth.api.getSession({ headers: new Headers({ cookie: device.cookie }) })).toBeNull();
    expect(await testDb.db.select().from(schema.sessions).where(eq(schema.sessions.userId, user.id))).toEqual([]);

    // Used once: the same link is refused, and the page says so.
    const again = await post(auth, "/reset-password", { token, newPassword: "yet another passphrase" });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe("INVALID_TOKEN");
    expect(await resetLinkState(auth, token)).toBe("invalid");

    expect((await post(auth, "/sign-in/email", { email: user.email, password })).status).toBe(401);
    expect((await post(auth, "/sign-in/email", { email: user.email, password: newPassword })).status).toBe(200);

    const audits = await testDb.db.select().from(schema.auditLog).where(eq(schema.auditLog.targetId, user.id));
    const actions = audits.map((entry) => entry.action);
    expect(actions).toContain("user.password.reset_requested");
    expect(actions.filter((action) => action === "user.password.reset")).toHaveLength(1);
    const written = JSON.stringify(audits);
    expect(written).not.toContain(token);
    expect(written).not.toContain(newPassword);
  }, 30_000);

  it("refuses an expired link and a forged one", async () => {
    const auth = authWith();
    const user = await newUser();
    await post(auth, "/request-password-reset", { email: user.email });
    const { token } = await linkFor(user.email);
    // 31 minutes later, as far as the stored expiry is concerned.
    await testDb.db
      .update(schema.verifications)
      .set({ expiresAt: new Date(Date.now() - 60_000) })
      .where(eq(schema.verifications.identifier, `reset-password:${token}`));
    expect(await resetLinkState(auth, token)).toBe("expired");
    const expired = await post(auth, "/reset-password", { token, newPassword });
    expect(expired.status).toBe(400);
    expect(expired.body.code).toBe("INVALID_TOKEN");

    const forged = randomBytes(18).toString("base64url");
    expect(await resetLinkState(auth, forged)).toBe("invalid");
    expect(await resetLinkState(auth, "../../etc")).toBe("invalid");
    expect((await post(auth, "/reset-password", { token: forged, newPassword })).status).toBe(400);
    expect((await post(auth, "/sign-in/email", { email: user.email, password })).status).toBe(200);
  }, 20_000);

  it("limits requests per client address like sign-in, and reset mails per account", async () => {
    const auth = authWith({ limits: { perAddressPerMinute: 2, maxResetMailsPerHour: 1 } });
    const user = await newUser();
    expect((await post(auth, "/request-password-reset", { email: user.email }, "203.0.113.30")).status).toBe(200);
    expect((await post(auth, "/request-password-reset", { email: user.email }, "203.0.113.30")).status).toBe(200);
    expect((await post(auth, "/request-password-reset", { email: user.email }, "203.0.113.30")).status).toBe(429);
    await linkFor(user.email);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await mailsTo(user.email)).toHaveLength(1);
  }, 20_000);
});
