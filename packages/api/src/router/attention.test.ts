import { randomBytes } from "node:crypto";
import type { Principal } from "@consentry/auth";
import { FILING_THRESHOLD, type FilingStatus, type FilingSummary } from "@consentry/compliance";
import { attentionSummary, compareItems, filingItem } from "@consentry/core/attention";
import { schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { producerOptions, QUEUE_NAMES, redisConnection, streamLeaseJobId } from "@consentry/queue";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerFor, liveLeases, makeOrganization, makePrincipal, unique } from "../testing";

// Issue #17.1: the home page's "needs attention" summary, against real PostgreSQL and the lease
// queue in real Redis (no lease job: the camera waits for a worker; a delayed one: retrying).

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const prefix = `test-attention-${randomBytes(4).toString("hex")}`;
const redis = new Redis(redisConnection(env.REDIS_URL));
const leaseQueue = new Queue(QUEUE_NAMES.streamAnalysis, producerOptions(env.REDIS_URL, prefix));

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgA: string;
let orgB: string;
let managerA: Principal;
let operatorA: Principal;
let auditorA: Principal;
let managerB: Principal;
let north: string;
let south: string;
let siteB: string;

const summaryOf = (principal: Principal, orgId: string) =>
  callerFor(
    testDb.db,
    principal,
    undefined,
    undefined,
    undefined,
    liveLeases(testDb.db, redis, prefix),
  ).attention.summary({ orgId });
type Summary = Awaited<ReturnType<typeof summaryOf>>;
const item = (summary: Summary, kind: Summary["items"][number]["kind"]) => summary.items.find((i) => i.kind === kind);
const perSite = (summary: Summary, kind: Summary["items"][number]["kind"]) =>
  item(summary, kind)?.sites.map((site) => [site.siteName, site.count, site.href]);

async function site(orgId: string, name: string) {
  const [row] = await testDb.db
    .insert(schema.sites)
    .values({ orgId, name, code: unique("S").toUpperCase(), address: "1 Road", regionCode: "310101", kind: "office" })
    .returning({ id: schema.sites.id });
  return row?.id as string;
}

async function camera(
  orgId: string,
  siteId: string,
  status: (typeof schema.cameras.$inferInsert)["status"],
  options: { fr?: boolean; disabled?: boolean } = {},
) {
  const [row] = await testDb.db
    .insert(schema.cameras)
    .values({
      orgId,
      siteId,
      name: unique("cam"),
      rtspUrlEnc: "never-read-here",
      rtspUrlMasked: "rtsp://10.0.0.1/cam",
      locationType: "entrance",
      status,
      frEnabled: options.fr ?? false,
      disabledAt: options.disabled ? new Date() : null,
    })
    .returning({ id: schema.cameras.id });
  return row?.id as string;
}

async function request(
  orgId: string,
  siteId: string,
  fields: Partial<typeof schema.dsrRequests.$inferInsert> & { dueAt: Date | null },
) {
  await testDb.db.insert(schema.dsrRequests).values({
    orgId,
    siteId,
    type: "deletion",
    referenceCode: unique("REF").toUpperCase(),
    contactHash: unique("hash"),
    status: "open",
    verifiedAt: new Date(Date.now() - 20 * DAY),
    ...fields,
  });
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgA = (await makeOrganization(testDb.db)).id;
  orgB = (await makeOrganization(testDb.db)).id;
  managerA = await makePrincipal(testDb.db, { memberships: [[orgA, "manager"]] });
  operatorA = await makePrincipal(testDb.db, { memberships: [[orgA, "operator"]] });
  auditorA = await makePrincipal(testDb.db, { memberships: [[orgA, "auditor"]] });
  managerB = await makePrincipal(testDb.db, { memberships: [[orgB, "manager"]] });
  north = await site(orgA, "North Gate Plaza");
  south = await site(orgA, "South Tower");
  siteB = await site(orgB, "Other Tenant Hotel");

  const now = Date.now();
  // Requests at A: two overdue at North, one at South, one due in an hour at South. Left out: a
  // closed one past its deadline, an unverified one (ten days old: due for retention), one due in
  // a month.
  await request(orgA, north, { dueAt: new Date(now - DAY) });
  await request(orgA, north, { dueAt: new Date(now - 2 * DAY), status: "in_progress" });
  await request(orgA, south, { dueAt: new Date(now - HOUR), status: "approved" });
  await request(orgA, south, { dueAt: new Date(now + HOUR) });
  await request(orgA, north, { dueAt: new Date(now - 5 * DAY), status: "refused", closedAt: new Date(now - 2 * DAY) });
  await request(orgA, north, { dueAt: null, status: "pending_verification", submittedAt: new Date(now - 10 * DAY) });
  await request(orgA, south, { dueAt: new Date(now + 30 * DAY) });
  await request(orgB, siteB, { dueAt: new Date(now - DAY) });

  // Cameras at A: North has one offline and one unreachable (and a disabled offline one, left
  // out); South one degraded and one online. Face recognition: one camera at South without a
  // lease job (waiting for a worker), one at North whose stream is retried (not waiting).
  await camera(orgA, north, "offline");
  await camera(orgA, north, "unreachable");
  await camera(orgA, north, "offline", { disabled: true });
  await camera(orgA, south, "degraded");
  await camera(orgA, south, "online");
  await camera(orgA, south, "online", { fr: true });
  const retried = await camera(orgA, north, "online", { fr: true });
  await leaseQueue.add("lease", { cameraId: retried }, { jobId: streamLeaseJobId(retried), delay: 60_000 });
  // B: an offline camera and one waiting for a worker; neither may reach A's summary.
  await camera(orgB, siteB, "offline");
  await camera(orgB, siteB, "online", { fr: true });
});

afterAll(async () => {
  await leaseQueue.obliterate({ force: true });
  await leaseQueue.close();
  redis.disconnect();
  await testDb?.drop();
});

describe("attention.summary", () => {
  it("counts overdue and soon-due requests, offline, degraded and waiting cameras per site", async () => {
    const summary = await summaryOf(managerA, orgA);
    expect(summary.requestsIncluded).toBe(true);
    expect(summary.inferenceKnown).toBe(true);
    expect(item(summary, "requestsOverdue")).toMatchObject({ tone: "red", count: 3, href: "/requests?overdue=1" });
    expect(perSite(summary, "requestsOverdue")).toEqual([
      ["North Gate Plaza", 2, `/requests?overdue=1&site=${north}`],
      ["South Tower", 1, `/requests?overdue=1&site=${south}`],
    ]);
    expect(item(summary, "requestsDueSoon")).toMatchObject({ tone: "amber", count: 1 });
    expect(perSite(summary, "requestsDueSoon")).toEqual([["South Tower", 1, `/requests?site=${south}`]]);

    expect(item(summary, "camerasOffline")).toMatchObject({ tone: "red", count: 2, href: "/cameras" });
    expect(perSite(summary, "camerasOffline")).toEqual([["North Gate Plaza", 2, `/sites/${north}`]]);
    expect(perSite(summary, "camerasDegraded")).toEqual([["South Tower", 1, `/sites/${south}`]]);
    expect(perSite(summary, "camerasWaiting")).toEqual([["South Tower", 1, `/sites/${south}`]]);
    // No retention run has failed yet.
    expect(item(summary, "retentionFailed")).toBeUndefined();
    // Red items first.
    const tones = summary.items.map((i) => i.tone);
    expect(tones).toEqual([...tones].sort((a, b) => (a === b ? 0 : a === "red" ? -1 : 1)));
  });

  it("counts critical and high findings per site as the Compliance page does", async () => {
    const [summary, overview] = await Promise.all([
      summaryOf(auditorA, orgA),
      callerFor(testDb.db, auditorA).compliance.overview({ orgId: orgA }),
    ]);
    for (const [kind, severity] of [
      ["criticalFindings", "critical"],
      ["highFindings", "high"],
    ] as const) {
      const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
      const expected = overview.sites
        .filter((s) => s.counts[severity] > 0)
        .map((s) => [s.name, s.counts[severity], `/compliance/${s.siteId}`])
        .sort(byName);
      const shown = (perSite(summary, kind) ?? []).filter(([name]) => name !== null).sort(byName);
      expect(shown).toEqual(expected);
    }
    // The approved deletion past its deadline at South is critical (CN-PI-03); both sites have high ones.
    expect(perSite(summary, "criticalFindings")).toEqual([["South Tower", 1, `/compliance/${south}`]]);
    expect(
      item(summary, "highFindings")
        ?.sites.map((s) => s.siteId)
        .sort(),
    ).toEqual([north, south].sort());
  });

  it("shows requests only to operators and up, as the Requests page does", async () => {
    const auditor = await summaryOf(auditorA, orgA);
    expect(auditor.requestsIncluded).toBe(false);
    expect(auditor.items.map((i) => i.kind)).not.toContain("requestsOverdue");
    expect(auditor.items.map((i) => i.kind)).not.toContain("requestsDueSoon");
    expect(item(auditor, "camerasOffline")?.count).toBe(2);
    const operator = await summaryOf(operatorA, orgA);
    expect(item(operator, "requestsOverdue")?.count).toBe(3);
  });

  it("never shows another organisation's data, and refuses non-members", async () => {
    const a = JSON.stringify(await summaryOf(managerA, orgA));
    expect(a).not.toContain(siteB);
    expect(a).not.toContain("Other Tenant Hotel");
    const b = await summaryOf(managerB, orgB);
    expect(perSite(b, "requestsOverdue")).toEqual([["Other Tenant Hotel", 1, `/requests?overdue=1&site=${siteB}`]]);
    expect(perSite(b, "camerasOffline")).toEqual([["Other Tenant Hotel", 1, `/sites/${siteB}`]]);
    expect(perSite(b, "camerasWaiting")).toEqual([["Other Tenant Hotel", 1, `/sites/${siteB}`]]);
    expect(JSON.stringify(b)).not.toMatch(new RegExp(`${north}|${south}`));
    await expect(summaryOf(managerB, orgA)).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("is empty for an organisation where nothing needs attention", async () => {
    const quiet = (await makeOrganization(testDb.db)).id;
    const owner = await makePrincipal(testDb.db, { memberships: [[quiet, "owner"]] });
    await site(quiet, "Quiet Office");
    const summary = await summaryOf(owner, quiet);
    expect(summary).toMatchObject({ items: [], requestsIncluded: true, inferenceKnown: true });
  });

  it("says when the inference workers' states are unknown (Redis does not answer)", async () => {
    const summary = await callerFor(testDb.db, managerA).attention.summary({ orgId: orgA });
    expect(summary.inferenceKnown).toBe(false);
    expect(item(summary, "camerasWaiting")).toBeUndefined();
    expect(item(summary, "camerasOffline")?.count).toBe(2);
  });

  it("lists a failed last retention run with what stays stored per site, until a run completes", async () => {
    const [failed] = await testDb.db
      .insert(schema.retentionRuns)
      .values({ status: "failed", startedAt: new Date(Date.now() - HOUR), finishedAt: new Date(), error: "disk full" })
      .returning();
    const summary = await summaryOf(auditorA, orgA);
    const retention = item(summary, "retentionFailed");
    // The unverified request at North, ten days old, is past its 7 days.
    expect(retention).toMatchObject({ tone: "red", count: 1, href: "/sites" });
    expect(retention?.kind === "retentionFailed" && retention.run).toEqual({
      status: "failed",
      startedAt: failed?.startedAt,
      finishedAt: failed?.finishedAt,
    });
    expect(perSite(summary, "retentionFailed")).toEqual([["North Gate Plaza", 1, `/sites/${north}`]]);
    expect(JSON.stringify(summary)).not.toContain("disk full");
    // B has nothing due: the failed run is listed without sites.
    expect(item(await summaryOf(managerB, orgB), "retentionFailed")).toMatchObject({ count: 0, sites: [] });

    await testDb.db.insert(schema.retentionRuns).values({ status: "completed", finishedAt: new Date() });
    expect(item(await summaryOf(auditorA, orgA), "retentionFailed")).toBeUndefined();
  });
});

describe("the filing item (CN-FR-15)", () => {
  // The engine's filing summary is tested in packages/compliance; 80,000 people with templates
  // are too many to plant here for the one mapping this adds.
  const summary = (status: FilingStatus, subjectsWithTemplates: number, dueAt: Date | null = null): FilingSummary => ({
    subjectsWithTemplates,
    threshold: FILING_THRESHOLD,
    status,
    dueAt,
  });

  it("shows the threshold from 80 % on, red once filing is due, and nothing before or once filed", () => {
    expect(filingItem(summary("not_required", 79_999))).toBeNull();
    expect(filingItem(summary("filed", 120_000))).toBeNull();
    expect(filingItem(summary("approaching", 80_000))).toEqual({
      kind: "filing",
      tone: "amber",
      count: 80_000,
      href: "/compliance",
      sites: [],
      filing: { status: "approaching", threshold: 100_000, dueAt: null },
    });
    const dueAt = new Date("2026-08-14T15:59:59.999Z");
    expect(filingItem(summary("due", 100_001, dueAt))).toMatchObject({ tone: "red", filing: { status: "due", dueAt } });
    expect(filingItem(summary("overdue", 100_001, dueAt))).toMatchObject({ tone: "red" });
  });

  it("lists an approaching filing after every other item, a due one among the red ones", () => {
    const site = { siteId: "s", siteName: "S", count: 1, href: "/sites/s" };
    const items = [
      filingItem(summary("approaching", 80_000)),
      { kind: "camerasDegraded" as const, tone: "amber" as const, count: 1, href: "/cameras", sites: [site] },
      filingItem(summary("due", 100_001, new Date())),
      { kind: "requestsOverdue" as const, tone: "red" as const, count: 1, href: "/requests", sites: [site] },
    ].filter((item) => item !== null);
    expect(items.sort(compareItems).map((i) => [i.kind, i.tone])).toEqual([
      ["requestsOverdue", "red"],
      ["filing", "red"],
      ["camerasDegraded", "amber"],
      ["filing", "amber"],
    ]);
  });
});

describe("attentionSummary's working days", () => {
  it("counts 3 Chinese working days, holidays skipped, for 'due soon'", async () => {
    const org = (await makeOrganization(testDb.db)).id;
    const at = await site(org, "Holiday Hall");
    // Tuesday 30 September 2025, before the National Day week (1–8 October): the next working days
    // are 9, 10 and 11 October (a make-up Saturday), so "due soon" runs to the end of the 11th.
    const now = new Date("2025-09-30T10:00:00+08:00");
    await request(org, at, { dueAt: new Date("2025-09-29T23:59:59+08:00") });
    await request(org, at, { dueAt: new Date("2025-10-09T23:59:59+08:00") });
    await request(org, at, { dueAt: new Date("2025-10-11T23:59:59+08:00") });
    await request(org, at, { dueAt: new Date("2025-10-13T09:00:00+08:00") });
    const summary = await attentionSummary({
      db: testDb.db,
      orgId: org,
      leases: { read: async () => null },
      includeRequests: true,
      now,
    });
    expect(summary.items.find((i) => i.kind === "requestsOverdue")?.count).toBe(1);
    expect(summary.items.find((i) => i.kind === "requestsDueSoon")?.count).toBe(2);
  });
});
