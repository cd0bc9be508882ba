import type { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The route modules import "server-only", which throws anywhere but in React Server Components
// (a build-time guard); it is the one thing that cannot run here.
vi.mock("server-only", () => ({}));

/** /api/health as each kind of caller, with real Better Auth sessions on a test database. */
const TOKEN = "health-route-test-metrics-token";
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let GET: (request: Request) => Promise<Response>;
const cookies: Record<"admin" | "member", string> = { admin: "", member: "" };

beforeAll(async () => {
  const { createTestDatabase } = await import("@consentry/db/testing");
  testDb = await createTestDatabase();
  vi.stubEnv("DATABASE_URL", testDb.url);
  vi.stubEnv("QUEUE_PREFIX", `test-health-route-${Date.now().toString(36)}`);
  vi.stubEnv("CONSENTRY_METRICS_TOKEN", TOKEN);
  vi.resetModules();
  const api = await import("@consentry/api/testing");
  const { auth } = await import("~/server/services");
  ({ GET } = await import("./route"));
  const org = await api.makeOrganization(testDb.db);
  const principals = {
    admin: await api.makePrincipal(testDb.db, { platformAdmin: true }),
    member: await api.makePrincipal(testDb.db, { memberships: [[org.id, "owner"]] }),
  };
  for (const [name, principal] of Object.entries(principals)) {
    const response = await auth.api.signInEmail({
      body: { email: principal.email, password: "correct horse battery" },
      headers: new Headers({ "x-consentry-client-ip": "203.0.113.9" }),
      asResponse: true,
    });
    expect(response.ok, `${name} signs in`).toBe(true);
    cookies[name as keyof typeof cookies] = response.headers
      .getSetCookie()
      .map((cookie) => cookie.split(";")[0])
      .join("; ");
  }
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await testDb?.drop();
});

const health = async (headers: Record<string, string> = {}) => {
  const response = await GET(new Request("http://127.0.0.1:3000/api/health", { headers }));
  return { status: response.status, body: await response.json() };
};

describe("/api/health", () => {
  it("tells anonymous callers, organisation members and wrong tokens only up or down", async () => {
    for (const headers of <Record<string, string>[]>[
      {},
      { cookie: cookies.member },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
      { cookie: "better-auth.session_token=forged" },
    ]) {
      expect(await health(headers), JSON.stringify(headers)).toEqual({ status: 200, body: { status: "ok" } });
    }
  });

  it("gives a platform admin and the metrics token's holder the whole report", async () => {
    for (const headers of <Record<string, string>[]>[{ cookie: cookies.admin }, { authorization: `Bearer ${TOKEN}` }]) {
      const answer = await health(headers);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ status: "ok", db: "up", redis: "up", workers: expect.any(Object) });
    }
  });
});
