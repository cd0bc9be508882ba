import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAuth, createUserWithPassword } from "./index";

// The real Better Auth instance signs a real user in (real PostgreSQL); the session cookie it
// sets is Secure, with the __Secure- prefix, exactly when the public URL is https.

const email = "cookie-test@example.cn";
const password = "correct horse battery staple";
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  testDb = await createTestDatabase();
  await createUserWithPassword(testDb.db, { email, name: "Cookie Test", password });
});
afterAll(async () => {
  await testDb?.drop();
});

async function sessionCookie(baseUrl: string): Promise<string> {
  const auth = createAuth(testDb.db, { baseUrl });
  const response = await auth.handler(
    new Request(`${baseUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: new URL(baseUrl).origin },
      body: JSON.stringify({ email, password }),
    }),
  );
  expect(response.status).toBe(200);
  const cookie = response.headers.getSetCookie().find((c) => c.includes("better-auth.session_token="));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(response.headers.getSetCookie())}`);
  return cookie;
}

describe("session cookies", () => {
  it("are not Secure when the public URL is http", async () => {
    const cookie = await sessionCookie("http://localhost:3000");
    expect(cookie).toMatch(/^better-auth\.session_token=/);
    expect(cookie).not.toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
  });

  it("are Secure, with the __Secure- prefix, when the public URL is https", async () => {
    const cookie = await sessionCookie("https://consentry.example.cn");
    expect(cookie).toMatch(/^__Secure-better-auth\.session_token=/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
  });
});
