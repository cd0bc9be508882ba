import { schema } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../errors";
import { jurisdictionSite } from "./jurisdiction";

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let siteId: string;
let orgId: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  const [org] = await testDb.db.insert(schema.organizations).values({ name: "Core Org", slug: "core-org" }).returning();
  const [site] = await testDb.db
    .insert(schema.sites)
    .values({
      orgId: org?.id as string,
      code: "S-CORE1",
      name: "Core Court",
      address: "1 Test Road",
      regionCode: "310104",
      kind: "office",
    })
    .returning();
  siteId = site?.id as string;
  orgId = org?.id as string;
});
afterAll(async () => {
  await testDb?.drop();
});

describe("jurisdictionSite", () => {
  it("shows a site of the jurisdiction, without snapshot or requests yet", async () => {
    const site = await jurisdictionSite(testDb.db, ["310000"], siteId);
    expect(site).toMatchObject({ siteName: "Core Court", orgName: "Core Org", score: null, findings: [] });
    expect(site.requests).toEqual({ received: 0, open: 0, onTime: 0, late: 0 });
  });

  it("throws a domain not-found for a site outside the jurisdiction, never a protocol error", async () => {
    const error = await jurisdictionSite(testDb.db, ["330000"], siteId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: "notFound", message: "Site not found in your jurisdiction." });
  });
});

describe("retention on the regulator's site page", () => {
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

  it("shows whether the job runs, its last run and what it deleted at this site: counts only", async () => {
    const db = testDb.db;
    const [elsewhere] = await db
      .insert(schema.sites)
      .values({
        orgId,
        code: "S-CORE2",
        name: "Far Court",
        address: "2 Test Road",
        regionCode: "330106",
        kind: "office",
      })
      .returning();
    const before = await jurisdictionSite(db, ["310000"], siteId);
    expect(before.retention).toMatchObject({ state: "notRunning", lastRun: null, deletedInWindow: {} });

    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const planted = "9b2f3c1e-0000-4000-8000-000000000001";
    await db.insert(schema.retentionRuns).values([
      {
        status: "completed",
        startedAt: minutesAgo(70),
        finishedAt: minutesAgo(69),
        counts: { [siteId]: { recognition_events: 40, templates: 1 }, [elsewhere?.id as string]: { templates: 9 } },
      },
      {
        status: "completed",
        startedAt: minutesAgo(10),
        finishedAt: minutesAgo(9),
        // Anything but a known kind with a count is dropped, however it got there.
        counts: { [siteId]: { templates: 2, [planted]: 1, enrolment_photos: -3 }, "*": { sessions: 5 } },
      },
      {
        status: "completed",
        startedAt: minutesAgo(40 * 24 * 60),
        finishedAt: minutesAgo(40 * 24 * 60),
        counts: { [siteId]: { templates: 100 } },
      },
    ]);
    const site = await jurisdictionSite(db, ["310000"], siteId);
    expect(site.retention).toMatchObject({
      state: "ok",
      lastRun: { status: "completed", deleted: { templates: 2 } },
      windowDays: 30,
      deletedInWindow: { templates: 3, recognition_events: 40 },
    });
    expect(site.retention?.lastRun?.finishedAt).toBeInstanceOf(Date);
    expect(site.retention?.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    expect(JSON.stringify(site.retention)).not.toMatch(uuid);

    await db
      .insert(schema.retentionRuns)
      .values({ status: "failed", startedAt: minutesAgo(1), finishedAt: minutesAgo(1) });
    expect((await jurisdictionSite(db, ["310000"], siteId)).retention).toMatchObject({
      state: "failed",
      lastRun: { status: "failed", deleted: {} },
    });
    // The other jurisdiction's site stays invisible, retention and all.
    await expect(jurisdictionSite(db, ["310000"], elsewhere?.id as string)).rejects.toMatchObject({ kind: "notFound" });
  });
});
