import { createCaller, createContext, internalMessage, unknownLeases } from "@consentry/api";
import { recordingJobs, temporaryStorage } from "@consentry/api/testing";
import { fieldError } from "@consentry/core";
import { sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

// `server-only` throws outside Next's react-server build; it is a build-time guard, nothing to run.
vi.mock("server-only", () => ({}));
const { errorResponse } = await import("./route-errors");

/** Route handlers (uploads, downloads) answer a database error as the tRPC route does: generic, with the request id. */
const SECRET = "actor.secret@example.cn";
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe("route handler errors", () => {
  it("a database error thrown in the handler answers 500 with the request id, no SQL or values", async () => {
    const thrown = await testDb.db.execute(sql`select ${SECRET}::int`).catch((error: unknown) => error);
    const response = errorResponse(thrown, "req-route");
    const body = await response.text();
    expect(response.status).toBe(500);
    expect(body).not.toContain(SECRET);
    expect(body).not.toContain("Failed query");
    expect(JSON.parse(body)).toMatchObject({
      error: internalMessage("req-route"),
      code: "INTERNAL_SERVER_ERROR",
      requestId: "req-route",
    });
  });

  it("a procedure's hidden error keeps the procedure's request id", async () => {
    const caller = createCaller(
      createContext({
        db: testDb.db,
        principal: null,
        jobs: recordingJobs(),
        storage: temporaryStorage(),
        leases: unknownLeases,
        requestId: "req-procedure",
      }),
    );
    const thrown = await caller.portal.sites({ query: "Site" }).catch((error: unknown) => error);
    const body = await errorResponse(thrown).json();
    expect(body).toMatchObject({ error: internalMessage("req-procedure"), requestId: "req-procedure" });
  });

  it("a domain error keeps its status, message and field", async () => {
    const response = errorResponse(fieldError("invalid", "photo", "emptyFile", "The photo is empty."));
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "The photo is empty.",
      code: "BAD_REQUEST",
      field: "photo",
      reason: "emptyFile",
    });
  });
});
