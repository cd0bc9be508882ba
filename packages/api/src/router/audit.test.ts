import { anchorAuditChain, desc, recordChainCheck, schema, sql, verifyAuditChain, writeAudit } from "@consentry/db";
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

describe("audit.reanchor", () => {
  it("closes a break for a platform administrator only, audited; the break stays listed and the chain verifies", async () => {
    const adminPrincipal = await makePrincipal(testDb.db, { platformAdmin: true });
    const admin = callerFor(testDb.db, adminPrincipal);
    const before = await admin.audit.verifyChain();
    expect(before).toMatchObject({ ok: false, reason: "anchored_entry_missing", openBreaks: 1 });
    const brokenAtId = before.ok ? 0 : before.brokenAtId;
    const reason = "Head deleted in incident 2026-17; restored from the offline copy.";
    // The hourly check records the break: every organisation gets the critical CN-FR-14 finding.
    await recordChainCheck(testDb.db, before);
    const member = await makePrincipal(testDb.db, { memberships: [[orgId, "owner"]] });
    const chainFindings = async () =>
      (await callerFor(testDb.db, member).compliance.overview({ orgId })).findings
        .map((finding) => finding.code)
        .filter((code) => code === "CN-FR-14.auditChainBroken");
    expect(await chainFindings()).toEqual(["CN-FR-14.auditChainBroken"]);

    const regulatorPrincipal = await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] });
    for (const principal of [member, regulatorPrincipal]) {
      await expect(callerFor(testDb.db, principal).audit.reanchor({ brokenAtId, reason })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
    }
    await expect(callerFor(testDb.db, null).audit.reanchor({ brokenAtId, reason })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
    await expect(admin.audit.reanchor({ brokenAtId, reason: "short" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(admin.audit.reanchor({ brokenAtId: brokenAtId + 1000, reason })).rejects.toMatchObject({
      code: "PRECONDITION_FAILED",
    });
    expect(await testDb.db.$count(schema.auditReanchors)).toBe(0);

    const closed = await admin.audit.reanchor({ brokenAtId, reason });
    expect(closed).toMatchObject({ covered: [{ id: brokenAtId }], verdict: { ok: true, openBreaks: 0 } });
    expect(await admin.audit.verifyChain()).toMatchObject({
      ok: true,
      breakCount: 1,
      breaks: [{ id: brokenAtId, reason: "anchored_entry_missing", closedBy: closed.reanchorId }],
    });
    const [entry] = await testDb.db.select().from(schema.auditLog).orderBy(desc(schema.auditLog.id)).limit(1);
    expect(entry).toMatchObject({
      action: "audit.reanchor",
      actorUserId: adminPrincipal.userId,
      targetType: "audit_chain",
      targetId: String(brokenAtId),
      details: { reanchorId: closed.reanchorId, reason },
    });
    // The verdict is recorded at once: CN-FR-14 and the regulator console see a verified chain.
    const regulator = callerFor(testDb.db, regulatorPrincipal);
    expect((await regulator.audit.anchors()).latestCheck).toMatchObject({ ok: true, breakCount: 1, openBreaks: 0 });
    expect(await chainFindings()).toEqual([]);
    // Closed once: there is nothing left to close there.
    await expect(admin.audit.reanchor({ brokenAtId, reason })).rejects.toMatchObject({ code: "PRECONDITION_FAILED" });
  });
});
