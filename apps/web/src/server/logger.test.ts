import { Writable } from "node:stream";
import { createCaller, createContext, unknownLeases } from "@consentry/api";
import { recordingJobs, temporaryStorage } from "@consentry/api/testing";
import { sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "./logger";

/**
 * What reaches the logs of a database error (issue #14, item 6): PostgreSQL's code, never the
 * query, its parameters or PostgreSQL's message quoting them. A real PostgreSQL error, logged
 * the ways the web app logs errors: the tRPC route's `err: error.cause ?? error` and route handlers.
 */
const SECRET = "actor.secret@example.cn";
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, log: createLogger(stream) };
}

async function databaseError(): Promise<unknown> {
  return testDb.db.execute(sql`select ${SECRET}::int`).then(
    () => null,
    (error: unknown) => error,
  );
}

describe("logged database errors", () => {
  it("keep PostgreSQL's code but not the query, its parameters or PostgreSQL's message", async () => {
    const { lines, log } = capture();
    const raw = await databaseError();
    log.error({ err: raw }, "raw drizzle error");
    log.error({ err: new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: raw }) }, "wrapped by tRPC");
    for (const line of lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain("Failed query");
      expect(line).toContain('"code":"22P02"');
    }
    expect(lines).toHaveLength(2);
  });

  it("a failure inside a procedure is logged with its path and request id", async () => {
    const { lines, log } = capture();
    const caller = createCaller(
      createContext({
        db: testDb.db,
        principal: null,
        jobs: recordingJobs(),
        storage: temporaryStorage(),
        leases: unknownLeases,
        requestId: "req-logged",
        // No portal services: the portal procedure fails before any query, as a deliberate 500.
      }),
    );
    const error = await caller.portal.sites({ query: "Site" }).catch((e: unknown) => e);
    log.error({ err: (error as TRPCError).cause }, "tRPC procedure failed");
    expect(lines[0]).toContain('"requestId":"req-logged"');
    expect(lines[0]).toContain('"procedure":"portal.sites"');
  });

  it("other errors are logged as pino always did", () => {
    const { lines, log } = capture();
    log.error({ err: new RangeError("bad page") }, "bug");
    expect(lines[0]).toContain('"type":"RangeError"');
    expect(lines[0]).toContain("bad page");
  });
});
