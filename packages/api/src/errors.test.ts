import { notFound } from "@consentry/core/errors";
import { schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InternalFailure, internalMessage } from "./errors";
import { makeOrganization, recordingJobs, temporaryStorage } from "./testing";
import { createCallerFactory, createContext, publicProcedure, router, unknownLeases } from "./trpc";

/**
 * Database errors never reach a client (issue #14, item 6): drizzle's message is
 * "Failed query: <SQL> params: <values>" and PostgreSQL's own quotes the value it refused. Real
 * PostgreSQL errors, through the real middleware and error formatter, in-process and over HTTP.
 */
const SECRET = "actor.secret@example.cn";
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let takenSlug: string;

const testRouter = router({
  badCast: publicProcedure.query(({ ctx }) => ctx.db.execute(sql`select ${SECRET}::int`)),
  duplicate: publicProcedure.mutation(({ ctx }) =>
    ctx.db.insert(schema.organizations).values({ name: SECRET, slug: takenSlug }),
  ),
  domain: publicProcedure.query(() => notFound("Site")),
  deliberate: publicProcedure.query(() => {
    throw new TRPCError({ code: "CONFLICT", message: "Already approved." });
  }),
  bug: publicProcedure.query(() => {
    throw new TypeError("cannot read properties of undefined");
  }),
});

const context = (requestId: string) =>
  createContext({
    db: testDb.db,
    principal: null,
    jobs: recordingJobs(),
    storage: temporaryStorage(),
    leases: unknownLeases,
    requestId,
  });

beforeAll(async () => {
  testDb = await createTestDatabase();
  takenSlug = (await makeOrganization(testDb.db)).slug;
});
afterAll(async () => {
  await testDb?.drop();
});

async function thrownBy(call: Promise<unknown>): Promise<TRPCError> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw new Error(`expected a TRPCError, got ${String(error)}`);
  return error;
}
const leaks = (text: string) =>
  [SECRET, "Failed query", "select ", "insert ", "params", "    at "].filter((fragment) => text.includes(fragment));

describe("database errors", () => {
  it("reach an in-process caller only as INTERNAL_SERVER_ERROR with the request id", async () => {
    const caller = createCallerFactory(testRouter)(context("req-in-process"));
    for (const call of [() => caller.badCast(), () => caller.duplicate()]) {
      const error = await thrownBy(call());
      expect(error.code).toBe("INTERNAL_SERVER_ERROR");
      expect(error.message).toBe(internalMessage("req-in-process"));
      expect(leaks(error.message)).toEqual([]);
    }
  });

  it("keep only PostgreSQL's code and constraint, the procedure and request id for the log", async () => {
    const caller = createCallerFactory(testRouter)(context("req-log"));
    const duplicate = (await thrownBy(caller.duplicate())).cause;
    expect(duplicate).toBeInstanceOf(InternalFailure);
    const failure = duplicate as InternalFailure;
    expect(failure).toMatchObject({
      requestId: "req-log",
      procedure: "duplicate",
      database: { code: "23505", constraint: "organizations_slug_unique" },
    });
    // What a logger sees: its message, stack and enumerable fields, and no cause to walk into.
    const logged = JSON.stringify({ ...failure, message: failure.message, stack: failure.stack });
    expect(leaks(logged.replaceAll("\\n    at ", " frame "))).toEqual([]);
    expect(failure.cause).toBeUndefined();
    const badCast = (await thrownBy(caller.badCast())).cause as InternalFailure;
    expect(badCast.database).toEqual({ code: "22P02", constraint: null });
    expect(badCast.message).not.toContain(SECRET);
  });

  it("answer over HTTP with a generic message and the request id, never SQL, values or a stack", async () => {
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request("http://localhost/api/trpc/badCast"),
      router: testRouter,
      createContext: () => context("req-http"),
    });
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(leaks(body)).toEqual([]);
    expect(body).not.toContain('"stack"');
    expect(JSON.parse(body).error.json).toMatchObject({
      message: internalMessage("req-http"),
      data: { code: "INTERNAL_SERVER_ERROR", requestId: "req-http" },
    });
  });

  it("are hidden also when they happen outside a procedure, while creating the context", async () => {
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request("http://localhost/api/trpc/domain"),
      router: testRouter,
      createContext: async () => {
        await testDb.db.execute(sql`select ${SECRET}::int`);
        return context("never");
      },
    });
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(leaks(body)).toEqual([]);
    expect(JSON.parse(body).error.json.message).toBe(internalMessage());
  });
});

describe("other errors", () => {
  it("domain and deliberate errors keep their code and message; a bug's message is hidden", async () => {
    const caller = createCallerFactory(testRouter)(context("req-other"));
    expect(await thrownBy(caller.domain())).toMatchObject({ code: "NOT_FOUND", message: "Site not found." });
    expect(await thrownBy(caller.deliberate())).toMatchObject({ code: "CONFLICT", message: "Already approved." });
    const bug = await thrownBy(caller.bug());
    expect(bug).toMatchObject({ code: "INTERNAL_SERVER_ERROR", message: internalMessage("req-other") });
    expect((bug.cause as InternalFailure).message).toBe("TypeError: cannot read properties of undefined");
  });
});
