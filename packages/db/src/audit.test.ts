import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canonicalJson, verifyAuditChain, writeAudit } from "./audit";
import { auditLog } from "./schema";
import { appendAuditEntries, createTestDatabase, tamperWithAuditLog } from "./testing";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
const actor = { userId: null, label: "test" };

beforeAll(async () => {
  testDb = await createTestDatabase();
});
afterAll(async () => {
  await testDb?.drop();
});

describe("audit hash chain", () => {
  it("canonical JSON ignores key order", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      canonicalJson({ a: { c: null, d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it("verifies an intact chain, including concurrent appends", async () => {
    await appendAuditEntries(testDb.db, 5);
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        testDb.db.transaction((tx) =>
          writeAudit(tx, { actor, orgId: null, action: "race", targetType: "t", targetId: String(i) }),
        ),
      ),
    );
    const verdict = await verifyAuditChain(testDb.db, 4);
    expect(verdict).toMatchObject({ ok: true, checked: 13 });
  });

  it("an entry rolled back with its transaction leaves no trace", async () => {
    const before = await testDb.db.$count(auditLog);
    await expect(
      testDb.db.transaction(async (tx) => {
        await writeAudit(tx, { actor, orgId: null, action: "doomed", targetType: "t" });
        throw new Error("change failed");
      }),
    ).rejects.toThrow("change failed");
    expect(await testDb.db.$count(auditLog)).toBe(before);
  });

  it("refuses updates and deletes through the append-only trigger", async () => {
    for (const statement of [sql`update audit_log set action = 'x'`, sql`delete from audit_log`]) {
      const error = await testDb.db.execute(statement).catch((e: Error) => e);
      expect(String((error as Error).cause)).toMatch(/append-only/);
    }
  });

  it("catches an edited entry and names it", async () => {
    const [third] = await testDb.db.select().from(auditLog).orderBy(auditLog.id).offset(2).limit(1);
    await tamperWithAuditLog(
      testDb.db,
      sql`update audit_log set details = '{"name":"Forged"}' where id = ${third?.id}`,
    );
    expect(await verifyAuditChain(testDb.db)).toMatchObject({
      ok: false,
      brokenAtId: third?.id,
      reason: "hash_mismatch",
      checked: 2,
    });
  });

  it("catches a deleted entry at its successor", async () => {
    await tamperWithAuditLog(
      testDb.db,
      sql`update audit_log set details = '{"name":"Site 2","nested":{"a":[1,"二"],"b":2}}' where action = 'site.create' and target_id = 'site-2'`,
    );
    expect(await verifyAuditChain(testDb.db)).toMatchObject({ ok: true });
    const rows = await testDb.db.select().from(auditLog).orderBy(auditLog.id);
    await tamperWithAuditLog(testDb.db, sql`delete from audit_log where id = ${rows[5]?.id}`);
    expect(await verifyAuditChain(testDb.db)).toMatchObject({
      ok: false,
      brokenAtId: rows[6]?.id,
      reason: "prev_hash_mismatch",
    });
  });
});
