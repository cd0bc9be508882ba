import { recordChainCheck, sql, verifyAuditChain, writeAudit } from "@consentry/db";
import { createTestDatabase, tamperWithAuditLog } from "@consentry/db/testing";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, makeOrganization, makePrincipal } from "../testing";

// An organisation's auditors read its own audit log, filtered and a page at a time, and export
// it; nobody else's entries and no installation-wide entry ever reach them.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let otherOrgId: string;
let midpoint: Date;
const OTHER_SECRET = "other-org-secret-欧阳";

const entry = (
  org: string | null,
  action: string,
  targetId: string,
  label: string,
  details: Record<string, unknown> = {},
) =>
  testDb.db.transaction((tx) =>
    writeAudit(tx, {
      actor: { userId: null, label },
      orgId: org,
      action,
      targetType: action.split(".")[0] as string,
      targetId,
      details,
    }),
  );

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db, "Audited Towers")).id;
  otherOrgId = (await makeOrganization(testDb.db, "Other Towers")).id;
  for (let i = 0; i < 60; i++) await entry(orgId, "site.update", `site-${i}`, "li.wei@audited.cn", { i });
  await new Promise((resolve) => setTimeout(resolve, 20));
  midpoint = new Date();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await entry(orgId, "camera.create", "cam-1", "100%_real@audited.cn", { name: '=HYPERLINK("http://evil")' });
  await entry(orgId, "camera.delete", "cam-1", "zhang.min@audited.cn");
  await entry(otherOrgId, "camera.create", "cam-1", "li.wei@other.cn", { secret: OTHER_SECRET });
  await entry(null, "camera.create", "cam-1", "system", { secret: OTHER_SECRET });
});
afterAll(async () => {
  await testDb?.drop();
});

async function auditor() {
  return callerFor(testDb.db, await makePrincipal(testDb.db, { memberships: [[orgId, "auditor"]] }));
}

describe("auditLog.list", () => {
  it("shows the organisation's entries newest first, 50 a page, and the pages are stable", async () => {
    const api = await auditor();
    const first = await api.auditLog.list({ orgId });
    expect(first.items).toHaveLength(50);
    expect(first.items[0]).toMatchObject({ action: "camera.delete", actorLabel: "zhang.min@audited.cn" });
    const ids = first.items.map((item) => item.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    // A new entry written meanwhile does not shift the next page.
    await entry(orgId, "site.create", "site-new", "late@audited.cn");
    const second = await api.auditLog.list({ orgId, cursor: first.nextCursor ?? undefined });
    expect(second.items).toHaveLength(12);
    expect(second.nextCursor).toBeNull();
    expect(Math.max(...second.items.map((item) => item.id))).toBeLessThan(Math.min(...ids));
    const all = [...ids, ...second.items.map((item) => item.id)];
    expect(new Set(all).size).toBe(62);
  });

  it("never shows another organisation's entries nor installation-wide ones", async () => {
    const api = await auditor();
    const page = await api.auditLog.list({ orgId, targetId: "cam-1", limit: 100 });
    expect(page.items.map((item) => item.action)).toEqual(["camera.delete", "camera.create"]);
    expect(JSON.stringify(page)).not.toContain(OTHER_SECRET);
    const csv = await api.auditLog.exportCsv({ orgId });
    expect(csv.csv).not.toContain(OTHER_SECRET);
    expect(csv.rows).toBe(63);
  });

  it("filters by actor (literal substring), action prefix, target and date range", async () => {
    const api = await auditor();
    const actions = async (input: object) =>
      (await api.auditLog.list({ orgId, limit: 100, ...input })).items.map((item) => item.action);
    expect(await actions({ actor: "ZHANG" })).toEqual(["camera.delete"]);
    // % and _ match themselves, not anything.
    expect(await actions({ actor: "100%_" })).toEqual(["camera.create"]);
    expect(await actions({ actor: "%" })).toEqual(["camera.create"]);
    expect(await actions({ action: "camera." })).toEqual(["camera.delete", "camera.create"]);
    expect(await actions({ targetType: "site", targetId: "site-7" })).toEqual(["site.update"]);
    expect(await actions({ from: midpoint, action: "camera" })).toHaveLength(2);
    expect(await actions({ to: midpoint })).toHaveLength(60);
    expect(await actions({ actor: "", action: "  " })).toHaveLength(63);
    expect(await actions({ actor: "nobody" })).toEqual([]);
  });

  it("refuses bad filters plainly", async () => {
    const api = await auditor();
    await expect(api.auditLog.list({ orgId, actor: "x\u0000" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.auditLog.list({ orgId, limit: 1000 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(api.auditLog.list({ orgId, from: new Date("+010000-01-01") })).rejects.toMatchObject({
      code: "BAD_REQUEST",
    });
  });

  it("is for the organisation's members from auditor up; regulators, admins and other tenants are refused", async () => {
    for (const role of ["owner", "manager", "operator", "auditor"] as const) {
      const api = callerFor(testDb.db, await makePrincipal(testDb.db, { memberships: [[orgId, role]] }));
      await expect(api.auditLog.list({ orgId })).resolves.toBeTruthy();
    }
    const outsiders = [
      await makePrincipal(testDb.db, { memberships: [[otherOrgId, "owner"]] }),
      await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] }),
      await makePrincipal(testDb.db, { platformAdmin: true }),
    ];
    for (const principal of outsiders) {
      const api = callerFor(testDb.db, principal);
      await expect(api.auditLog.list({ orgId })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(api.auditLog.exportCsv({ orgId })).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(api.auditLog.chainStatus({ orgId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    await expect(callerFor(testDb.db, null).auditLog.list({ orgId })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("auditLog.exportCsv", () => {
  it("exports the filtered entries formula-safe", async () => {
    const api = await auditor();
    const file = await api.auditLog.exportCsv({ orgId, action: "camera." });
    expect(file).toMatchObject({ rows: 2, capped: false });
    expect(file.filename).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const rows = parse(file.csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.map((row) => row.action)).toEqual(["camera.delete", "camera.create"]);
    // The details cell starts with {, the planted formula is inside it; an actor cell that starts
    // like a formula would be prefixed with '.
    expect(rows[1]?.details).toContain("HYPERLINK");
    await entry(orgId, "site.update", "=1+1", "=cmd|' /C calc'!A0");
    const hostile = await api.auditLog.exportCsv({ orgId, targetId: "=1+1" });
    const [row] = parse(hostile.csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(row?.actor).toBe("'=cmd|' /C calc'!A0");
    expect(row?.target_id).toBe("'=1+1");
  });

  it("is capped and says so", async () => {
    const { exportAuditEntries } = await import("@consentry/core/audit-log");
    const file = await exportAuditEntries(testDb.db, { orgId }, 10);
    expect(file).toMatchObject({ rows: 10, capped: true, limit: 10 });
  });
});

describe("auditLog.chainStatus", () => {
  it("shows the latest stored verification and which entry broke", async () => {
    const api = await auditor();
    await recordChainCheck(testDb.db, await verifyAuditChain(testDb.db));
    const intact = await api.auditLog.chainStatus({ orgId });
    expect(intact).toMatchObject({ ok: true, brokenAtId: null });
    // The installation's size is not an organisation's business.
    expect(intact).not.toHaveProperty("checked");
    const [victim] = await testDb.db.execute<{ id: string }>(
      sql`select id from audit_log where org_id = ${orgId} order by id limit 1 offset 5`,
    );
    await tamperWithAuditLog(testDb.db, sql`update audit_log set action = 'forged' where id = ${victim?.id}`);
    // Not re-verified on a page load: the page shows the stored verdict until the next check.
    expect(await api.auditLog.chainStatus({ orgId })).toMatchObject({ ok: true });
    await recordChainCheck(testDb.db, await verifyAuditChain(testDb.db));
    expect(await api.auditLog.chainStatus({ orgId })).toMatchObject({
      ok: false,
      brokenAtId: Number(victim?.id),
      reason: "hash_mismatch",
    });
  });
});
