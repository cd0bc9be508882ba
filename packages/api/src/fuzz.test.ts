import { createTestDatabase } from "@consentry/db/testing";
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AFTER_VALIDATION,
  call,
  type Fixture,
  leavesOf,
  makeFixture,
  procedures,
  samples,
  sendHostileInput,
  validInput,
} from "./hostile-input";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let fixture: Fixture;

beforeAll(async () => {
  testDb = await createTestDatabase();
  fixture = await makeFixture(testDb.db);
}, 60_000);
afterAll(async () => {
  await testDb?.drop();
});

describe("hostile input", () => {
  it("every procedure with free text or a date has a valid sample input", () => {
    const missing = procedures
      .filter(([path, procedure]) => !samples[path] && leavesOf(procedure).some((leaf) => leaf.kind !== "format"))
      .map(([path]) => path);
    expect(missing).toEqual([]);
  });

  it("the samples are valid, so a hostile value in them reaches the procedure", async () => {
    const refused: string[] = [];
    const known = new Set(procedures.map(([path]) => path));
    for (const path of Object.keys(samples)) {
      if (!known.has(path)) {
        refused.push(`${path}: no such procedure`);
        continue;
      }
      await call(testDb.db, fixture, path, await validInput(fixture, path)).catch((error: unknown) => {
        if (!(error instanceof TRPCError && error.code === AFTER_VALIDATION[path])) refused.push(`${path}: ${error}`);
      });
    }
    expect(refused).toEqual([]);
  }, 60_000);

  it("NUL bytes, lone surrogates and unstorable dates are refused as bad input, never a 500 or SQL", async () => {
    const outcomes = await sendHostileInput(testDb.db, fixture);
    const failures = outcomes
      .filter((outcome) => outcome.status !== 400 || !outcome.namesField || outcome.leaked)
      .map((outcome) => `${outcome.where}: ${outcome.status} ${outcome.message.slice(0, 120)}`);
    console.info(`fuzz: ${outcomes.length} calls, ${failures.length} not refused as BAD_REQUEST naming the field`);
    expect(outcomes.length).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  }, 240_000);
});
