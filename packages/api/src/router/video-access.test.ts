import { randomUUID } from "node:crypto";
import type { Principal } from "@consentry/auth";
import { verifyToken } from "@consentry/crypto";
import { and, eq, schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, databaseDigest, makeOrganization, makePrincipal } from "../testing";

// Opening live view asks for a reason and writes the register row with the ticket; auditors (and
// every role above) read the organisation's register and each camera's; regulators see counts.

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let otherOrgId: string;
let manager: Principal;
let operator: Principal;
let auditor: Principal;
let otherManager: Principal;
let siteId: string;
let lobby: string;
let garage: string;
let otherCamera: string;
const NOTE_SECRET = "the note of another organisation 欧阳";

const api = (principal: Principal) => callerFor(testDb.db, principal);
const cameraFields = (org: string, site: string, name: string, channel: number) => ({
  orgId: org,
  name,
  siteId: site,
  entryPointId: null,
  locationType: "entrance" as const,
  frEnabled: false,
  analysisFps: 5,
  rtspUrl: `rtsp://10.1.2.3:554/Streaming/Channels/${channel}`,
});
const site = { address: "1 Road", regionCode: "310101", kind: "office" as const, templateRetentionDays: 365 };

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db, "Watched Towers")).id;
  otherOrgId = (await makeOrganization(testDb.db, "Other Towers")).id;
  manager = await makePrincipal(testDb.db, { memberships: [[orgId, "manager"]] });
  operator = await makePrincipal(testDb.db, { memberships: [[orgId, "operator"]] });
  auditor = await makePrincipal(testDb.db, { memberships: [[orgId, "auditor"]] });
  otherManager = await makePrincipal(testDb.db, { memberships: [[otherOrgId, "manager"]] });
  siteId = (await api(manager).sites.create({ orgId, name: "Watched Court", ...site })).id;
  lobby = (await api(manager).cameras.create(cameraFields(orgId, siteId, "Lobby", 1))).id;
  garage = (await api(manager).cameras.create(cameraFields(orgId, siteId, "Garage ramp", 2))).id;
  const otherSite = (await api(otherManager).sites.create({ orgId: otherOrgId, name: "Other Court", ...site })).id;
  otherCamera = (await api(otherManager).cameras.create(cameraFields(otherOrgId, otherSite, "Theirs", 3))).id;
});
afterAll(() => testDb?.drop());

const rowsOf = (cameraId: string) =>
  testDb.db.select().from(schema.videoAccess).where(eq(schema.videoAccess.cameraId, cameraId));

describe("cameras.liveViewToken asks why", () => {
  it("writes the register row with the ticket, keyed by the ticket's id, and audits the reason", async () => {
    const { url } = await api(operator).cameras.liveViewToken({
      orgId,
      cameraId: lobby,
      reason: "other",
      note: "  Resident reported a leak near the lift  ",
    });
    const token = new URL(url.replace(/^ws/, "http")).searchParams.get("token") as string;
    const { jti } = verifyToken<{ jti: string }>(token, env.CONSENTRY_LIVE_VIEW_SECRET);
    const [row] = await testDb.db.select().from(schema.videoAccess).where(eq(schema.videoAccess.ticketId, jti));
    expect(row).toMatchObject({
      orgId,
      siteId,
      cameraId: lobby,
      cameraName: "Lobby",
      viewerUserId: operator.userId,
      viewerLabel: operator.email,
      reason: "other",
      reasonNote: "Resident reported a leak near the lift",
      startedAt: null,
      endedAt: null,
    });
    const [audit] = await testDb.db
      .select()
      .from(schema.auditLog)
      .where(and(eq(schema.auditLog.action, "camera.live_view"), eq(schema.auditLog.targetId, lobby)));
    expect(audit?.details).toEqual({ reason: "other", videoAccessId: row?.id });
  });

  it("refuses a missing or unknown reason, a missing note for other, a long note or control characters, changing nothing", async () => {
    const before = await databaseDigest(testDb.db);
    const bad: [Record<string, unknown>, string][] = [
      [{}, "reason"],
      [{ reason: "curiosity" }, "reason"],
      [{ reason: "other" }, "note"],
      [{ reason: "other", note: "   " }, "note"],
      [{ reason: "maintenance", note: "x".repeat(501) }, "note"],
      [{ reason: "maintenance", note: "bell\u0007" }, "note"],
      [{ reason: "maintenance", note: "line\u001b[2Jclear" }, "note"],
      [{ reason: "maintenance", note: "nul\u0000" }, "note"],
    ];
    for (const [input, field] of bad) {
      const error = await api(operator)
        // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose
        .cameras.liveViewToken({ orgId, cameraId: lobby, ...input } as any)
        .catch((e: unknown) => e);
      expect(error, JSON.stringify(input)).toMatchObject({ code: "BAD_REQUEST" });
      const issues = (error as { cause?: { issues?: { path: unknown[] }[] } }).cause?.issues ?? [];
      expect(
        issues.map((issue) => issue.path[0]),
        JSON.stringify(input),
      ).toContain(field);
    }
    expect(await databaseDigest(testDb.db)).toEqual(before);
  });

  it("answers another organisation's camera and an auditor the same as before: NOT_FOUND and FORBIDDEN, nothing written", async () => {
    const before = await databaseDigest(testDb.db);
    await expect(
      api(operator).cameras.liveViewToken({ orgId, cameraId: otherCamera, reason: "safety_check" }),
    ).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(
      api(auditor).cameras.liveViewToken({ orgId, cameraId: lobby, reason: "safety_check" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await databaseDigest(testDb.db)).toEqual(before);
    expect(await rowsOf(otherCamera)).toEqual([]);
  });
});

describe("videoAccess.list and exportCsv", () => {
  const HOUR = 3_600_000;
  let base: number;
  beforeAll(async () => {
    base = Date.now() - 1000 * HOUR;
    // 60 sessions on the garage camera, an hour apart: alternating viewers and reasons.
    const rows = Array.from({ length: 60 }, (_, i) => {
      const requestedAt = new Date(base + i * HOUR);
      return {
        orgId,
        siteId,
        cameraId: garage,
        cameraName: "Garage ramp",
        viewerUserId: null,
        viewerLabel: i % 2 ? "li.wei@watched.cn" : "zhang.min@watched.cn",
        reason: i % 3 ? ("maintenance" as const) : ("security_incident" as const),
        reasonNote: i === 59 ? '=HYPERLINK("http://evil.example")' : null,
        ticketId: randomUUID(),
        requestedAt,
        startedAt: new Date(requestedAt.getTime() + 1_000),
        endedAt: new Date(requestedAt.getTime() + 91_000),
        endReason: "viewer_closed",
      };
    });
    await testDb.db.insert(schema.videoAccess).values(rows);
    await testDb.db.insert(schema.videoAccess).values({
      orgId: otherOrgId,
      cameraId: otherCamera,
      cameraName: "Garage ramp",
      viewerLabel: "li.wei@other.cn",
      reason: "other",
      reasonNote: NOTE_SECRET,
      ticketId: randomUUID(),
    });
  });

  it("pages the organisation's register 50 at a time, newest first, stable when rows arrive", async () => {
    const first = await api(auditor).videoAccess.list({ orgId, cameraId: garage });
    expect(first.items).toHaveLength(50);
    expect(first.items[0]).toMatchObject({
      reasonNote: '=HYPERLINK("http://evil.example")',
      status: "ended",
      seconds: 90,
    });
    const times = first.items.map((item) => item.requestedAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    await api(operator).cameras.liveViewToken({ orgId, cameraId: garage, reason: "complaint" });
    const second = await api(auditor).videoAccess.list({
      orgId,
      cameraId: garage,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second.items).toHaveLength(10);
    expect(second.nextCursor).toBeNull();
    expect(new Set([...first.items, ...second.items].map((item) => item.id)).size).toBe(60);
    // The new ticket is on top of a fresh first page, not yet opened.
    const fresh = await api(auditor).videoAccess.list({ orgId, cameraId: garage, limit: 1 });
    expect(fresh.items[0]).toMatchObject({ reason: "complaint", status: "opening", startedAt: null });
  });

  it("filters by camera name, viewer, reason and date range; never shows another organisation's rows", async () => {
    const list = (filter: Record<string, unknown>) =>
      api(auditor)
        .videoAccess.list({ orgId, limit: 100, ...filter })
        .then((page) => page.items);
    const garageRows = await list({ camera: "garage" });
    expect(garageRows.every((item) => item.cameraName === "Garage ramp")).toBe(true);
    expect(garageRows).toHaveLength(61);
    expect(await list({ camera: "%" })).toEqual([]);
    const li = await list({ viewer: "LI.WEI" });
    expect(li).toHaveLength(30);
    expect(li.every((item) => item.viewerLabel === "li.wei@watched.cn")).toBe(true);
    expect(await list({ reason: "security_incident", camera: "garage" })).toHaveLength(20);
    const ranged = await list({ from: new Date(base + 10 * HOUR), to: new Date(base + 19 * HOUR) });
    expect(ranged).toHaveLength(10);
    expect(await list({ camera: "", viewer: " " }).then((rows) => rows.length)).toBeGreaterThan(60);
    const everything = JSON.stringify(await list({}));
    expect(everything).not.toContain(NOTE_SECRET);
    expect(everything).not.toContain("li.wei@other.cn");
  });

  it("tells the state of each row: watching, end not reported, never opened", async () => {
    const now = Date.now();
    const row = (minutesAgo: number, started: boolean) => ({
      orgId,
      siteId,
      cameraId: lobby,
      cameraName: "Lobby",
      viewerLabel: "state@watched.cn",
      reason: "safety_check" as const,
      ticketId: randomUUID(),
      requestedAt: new Date(now - minutesAgo * 60_000),
      startedAt: started ? new Date(now - minutesAgo * 60_000 + 1_000) : null,
    });
    await testDb.db.insert(schema.videoAccess).values([row(2, true), row(6 * 60, true), row(30, false)]);
    const items = (await api(auditor).videoAccess.list({ orgId, viewer: "state@" })).items;
    expect(items.map((item) => item.status)).toEqual(["watching", "notOpened", "endNotReported"]);
    expect(items.every((item) => item.seconds === null)).toBe(true);
  });

  it("exports the filtered register as formula-safe CSV", async () => {
    const file = await api(auditor).videoAccess.exportCsv({ orgId, cameraId: garage });
    expect(file.rows).toBe(61);
    expect(file.capped).toBe(false);
    const records = parse(file.csv, { columns: true, bom: true }) as Record<string, string>[];
    expect(Object.keys(records[0] ?? {})).toEqual([
      "requested_at",
      "started_at",
      "ended_at",
      "seconds_watched",
      "status",
      "end_reason",
      "viewer",
      "camera",
      "camera_id",
      "reason",
      "note",
    ]);
    expect(records[1]).toMatchObject({
      reason: "maintenance",
      note: `'=HYPERLINK("http://evil.example")`,
      seconds_watched: "90",
    });
    expect(file.csv).not.toContain(NOTE_SECRET);
  });

  it("lets auditors and every role above read it; another tenant's camera is NOT_FOUND; outsiders are refused", async () => {
    for (const principal of [auditor, operator, manager]) {
      expect((await api(principal).videoAccess.list({ orgId, limit: 1 })).items).toHaveLength(1);
    }
    await expect(api(auditor).videoAccess.list({ orgId, cameraId: otherCamera })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(api(auditor).videoAccess.exportCsv({ orgId, cameraId: otherCamera })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(api(otherManager).videoAccess.list({ orgId })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Another organisation's cursor is not found here either.
    const [theirs] = await rowsOf(otherCamera);
    await expect(api(auditor).videoAccess.list({ orgId, cursor: theirs?.id })).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
    await expect(
      // biome-ignore lint/suspicious/noExplicitAny: hostile input on purpose
      api(auditor).videoAccess.list({ orgId, reason: "curiosity" } as any),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("regulator.site video access", () => {
  it("counts opened sessions per reason over 30 and 90 days, with no name, camera or note", async () => {
    const regulator = api(await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] }));
    await testDb.db.delete(schema.videoAccess).where(eq(schema.videoAccess.siteId, siteId));
    const day = 86_400_000;
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * day);
    const row = (reason: "complaint" | "other", daysAgo: number | null) => ({
      orgId,
      siteId,
      cameraId: lobby,
      cameraName: "Lobby",
      viewerLabel: "counted@watched.cn",
      reason,
      reasonNote: reason === "other" ? "a note that must not leave" : null,
      ticketId: randomUUID(),
      requestedAt: at(daysAgo ?? 1),
      startedAt: daysAgo === null ? null : at(daysAgo),
    });
    await testDb.db
      .insert(schema.videoAccess)
      .values([row("complaint", 1), row("complaint", 40), row("other", 5), row("other", 120), row("other", null)]);
    const view = await regulator.regulator.site({ siteId });
    expect(view.videoAccess?.total30).toBe(2);
    expect(view.videoAccess?.total90).toBe(3);
    expect(view.videoAccess?.reasons).toContainEqual({ reason: "complaint", last30: 1, last90: 2 });
    expect(view.videoAccess?.reasons).toContainEqual({ reason: "other", last30: 1, last90: 1 });
    expect(view.videoAccess?.reasons).toContainEqual({ reason: "maintenance", last30: 0, last90: 0 });
    const text = JSON.stringify(view.videoAccess);
    for (const secret of ["counted@", "Lobby", "a note", lobby]) expect(text).not.toContain(secret);
  });
});
