import { anchorAuditChain, recordChainCheck, sql, verifyAuditChain, writeAudit } from "@consentry/db";
import { createTestDatabase, tamperWithAuditLog } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal } from "../testing";

// Regulators see the chain's anchors and verdicts, never an entry's content; administrators
// verify the whole chain and are told which entry broke and why.

const PLANTED = "planted-detail-欧阳";
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db, "Anchored Towers")).id;
  for (const targetId of ["a", "b", "c"]) {
    await testDb.db.transaction((tx) =>
      writeAudit(tx, {
        actor: { userId: null, label: "test" },
        orgId,
        action: "site.update",
        targetType: "site",
        targetId,
        details: { note: PLANTED },
      }),
    );
  }
  const { verdict } = await anchorAuditChain(testDb.db);
  await recordChainCheck(testDb.db, verdict);
});
afterAll(async () => {
  await testDb?.drop();
});

describe("audit.anchors", () => {
  it("shows a regulator the anchors, whether each still verifies, and the latest verdict, but no entry", async () => {
    const regulator = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] }));
    const overview = await regulator.audit.anchors();
    const [head] = await testDb.db.execute<{ id: string }>(sql`select max(id) as id from audit_log`);
    expect(overview).toMatchObject({
      anchors: [{ headId: Number(head?.id), verified: true, keyId: "dev1" }],
      latestCheck: { ok: true, brokenAtId: null, reason: null },
    });
    expect(overview.anchors[0]?.headHash).toHaveLength(12);
    const text = JSON.stringify(overview);
    expect(text).not.toContain(PLANTED);
    expect(text).not.toMatch(/"(details|actorLabel|action|targetId|signature)"/);
  });

  it("is for regulators only", async () => {
    const member = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    const admin = await makePrincipal(testDb.db, { platformAdmin: true });
    await expect(callerFor(testDb.db, member).audit.anchors()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(testDb.db, admin).audit.anchors()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(callerFor(testDb.db, null).audit.anchors()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("audit.verifyChain", () => {
  it("names the broken entry and why, and the anchor no longer verifies", async () => {
    const admin = callerFor(testDb.db, await makePrincipal(testDb.db, { platformAdmin: true }));
    const [last] = await testDb.db.execute<{ id: string }>(sql`select max(id) as id from audit_log`);
    const headId = Number(last?.id);
    await tamperWithAuditLog(testDb.db, sql`delete from audit_log where id = ${headId}`);
    const verdict = await admin.audit.verifyChain();
    expect(verdict).toMatchObject({ ok: false, brokenAtId: headId, reason: "anchored_entry_missing" });
    expect(verdict).toEqual(await verifyAuditChain(testDb.db));
    const regulator = callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] }));
    expect((await regulator.audit.anchors()).anchors).toMatchObject([{ headId, verified: false }]);
  });
});
