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
import { type AuthServices, createAuth, createUserWithPassword } from "./index";
import { accountLockout, SIGN_IN_LIMITS } from "./sign-in-limits";

// The real Better Auth instance over real PostgreSQL, its limits in real Redis (under a prefix of
// this run only) and its mail through a real in-process SMTP server.

const baseUrl = "http://localhost:3000";
const password = "correct horse battery staple";
const mailDir = mkdtempSync(join(tmpdir(), "consentry-sign-in-"));
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
async function newUser() {
  const email = `user-${unique()}@example.cn`;
  await createUserWithPassword(testDb.db, { email, name: "Sign-in Test", password });
  return email;
}
const authWith = (options: Omit<AuthServices, "redis" | "mailer">) =>
  createAuth(testDb.db, { baseUrl, redis, mailer, ...options });

async function signIn(
  auth: ReturnType<typeof createAuth>,
  body: { email: string; password: string },
  headers: Record<string, string>,
) {
  const response = await auth.handler(
    new Request(`${baseUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl, ...headers },
      body: JSON.stringify(body),
    }),
  );
  return { status: response.status, body: (await response.json().catch(() => null)) as { code?: string } | null };
}

describe("sign-in limit per client address", () => {
  it("counts the address the web server computed, however X-Forwarded-For rotates, across processes", async () => {
    const prefix = `test-signin-${unique()}`;
    const web1 = authWith({ prefix, limits: { perAddressPerMinute: 3 } });
    const web2 = authWith({ prefix, limits: { perAddressPerMinute: 3 } });
    const email = await newUser();
    const attempt = (web: typeof web1, i: number, address = "203.0.113.7") =>
      signIn(
        web,
        { email, password: "wrong" },
        { [CLIENT_ADDRESS_HEADER]: address, "x-forwarded-for": `198.51.100.${i}` },
      );
    expect((await attempt(web1, 1)).status).toBe(401);
    expect((await attempt(web2, 2)).status).toBe(401);
    expect((await attempt(web1, 3)).status).toBe(401);
    // The fourth attempt from that address is refused, by the other web process too.
    expect((await attempt(web2, 4)).status).toBe(429);
    expect((await attempt(web1, 5)).status).toBe(429);
    // Someone else's address is not affected.
    expect((await attempt(web1, 6, "203.0.113.8")).status).toBe(401);
  }, 20_000);
});

describe("account lock after repeated wrong passwords", () => {
  const prefix = `test-lock-${unique()}`;
  const limits = { perAddressPerMinute: 100, maxFailures: 3, lockSeconds: 2 };

  it("locks only that account, from however many addresses, tells its holder once, and expires", async () => {
    const auth = authWith({ prefix, limits });
    const victim = await newUser();
    const bystander = await newUser();
    const from = (i: number) => ({ [CLIENT_ADDRESS_HEADER]: `198.51.100.${i}` });

    expect((await signIn(auth, { email: victim, password: "wrong-1" }, from(1))).status).toBe(401);
    expect((await signIn(auth, { email: victim.toUpperCase(), password: "wrong-2" }, from(2))).status).toBe(401);
    const third = await signIn(auth, { email: victim, password: "wrong-3" }, from(3));
    expect(third.status).toBe(423);
    expect(third.body?.code).toBe("ACCOUNT_LOCKED");

    // While locked, even the right password is refused, and further guesses add no mail.
    const right = await signIn(auth, { email: victim, password }, from(4));
    expect(right.status).toBe(423);
    expect(right.body?.code).toBe("ACCOUNT_LOCKED");
    expect((await signIn(auth, { email: victim, password: "wrong-4" }, from(5))).status).toBe(423);

    // Another account signs in as usual.
    expect((await signIn(auth, { email: bystander, password }, from(1))).status).toBe(200);

    const mails = (await readMailbox(mailDir)).filter((mail) => mail.to === victim);
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toContain("account temporarily locked");
    expect(mails[0]?.text).toContain("锁定");

    const [user] = await testDb.db.select().from(schema.users).where(eq(schema.users.email, victim));
    const audits = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(eq(schema.auditLog.action, "auth.account_locked"));
    expect(audits.map((entry) => entry.targetId)).toEqual([user?.id]);

    await new Promise((resolve) => setTimeout(resolve, limits.lockSeconds * 1000 + 500));
    expect((await signIn(auth, { email: victim, password }, from(6))).status).toBe(200);
    // The right password started the count afresh: two wrong ones do not lock again.
    expect((await signIn(auth, { email: victim, password: "wrong-5" }, from(7))).status).toBe(401);
    expect((await signIn(auth, { email: victim, password: "wrong-6" }, from(8))).status).toBe(401);
    expect((await signIn(auth, { email: victim, password }, from(9))).status).toBe(200);
  }, 30_000);

  it("locks an unknown email the same way, so the answer tells nothing, and mails nobody", async () => {
    const auth = authWith({ prefix, limits });
    const stranger = `nobody-${unique()}@example.cn`;
    for (let i = 0; i < limits.maxFailures - 1; i++)
      expect((await signIn(auth, { email: stranger, password: "wrong" }, {})).status).toBe(401);
    expect((await signIn(auth, { email: stranger, password: "wrong" }, {})).status).toBe(423);
    expect((await readMailbox(mailDir)).filter((mail) => mail.to === stranger)).toHaveLength(0);
  }, 20_000);

  it("doubles the lock each time it is locked again within a day", async () => {
    const lockout = accountLockout(redis, `test-backoff-${unique()}`, {
      ...SIGN_IN_LIMITS,
      maxFailures: 1,
      lockSeconds: 60,
    });
    expect(await lockout.recordFailure("a@example.cn")).toEqual({ locked: true, seconds: 60, newLock: true });
    expect(await lockout.recordFailure("a@example.cn")).toEqual({ locked: true, seconds: 120, newLock: false });
    expect(await lockout.lockedFor("A@example.cn ")).toBeGreaterThan(55);
  });
});
