import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// The route module imports "server-only", which throws anywhere but in React Server Components
// (a build-time guard); it is the one thing that cannot run here.
vi.mock("server-only", () => ({}));

type Handler = (request: Request) => Promise<Response>;

describe("the tRPC route", () => {
  let testDb: Awaited<ReturnType<typeof import("@consentry/db/testing").createTestDatabase>>;
  let GET: Handler;

  beforeAll(async () => {
    const { createTestDatabase } = await import("@consentry/db/testing");
    testDb = await createTestDatabase();
    vi.stubEnv("DATABASE_URL", testDb.url);
    vi.resetModules();
    ({ GET } = (await import("./route")) as unknown as { GET: Handler });
  }, 60_000);
  afterAll(async () => {
    vi.unstubAllEnvs();
    await testDb?.drop();
  });

  const batch = (size: number) =>
    GET(
      new Request(
        `http://127.0.0.1:3000/api/trpc/${Array(size).fill("viewer.session").join(",")}?batch=1&input=${encodeURIComponent("{}")}`,
        { headers: { "x-consentry-client-ip": "203.0.113.9" } },
      ),
    );

  it("runs a batch of 10 procedures and refuses 11 before running any", async () => {
    const ten = await batch(10);
    expect(ten.status).toBe(200);
    expect(await ten.json()).toHaveLength(10);

    const eleven = await batch(11);
    expect(eleven.status).toBe(400);
    expect(JSON.stringify(await eleven.json())).toContain("Batch call exceeds maximum size");
    // The batched GET of the report: 1,000 calls in one URL.
    expect((await batch(1000)).status).toBe(400);
  });
});
