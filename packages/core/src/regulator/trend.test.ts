import { createTestDatabase } from "@consentry/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeComplianceSnapshots } from "../compliance/snapshots";
import { makeAnalysedSite, makeOrganization } from "../testing";
import { jurisdictionTrend } from "./jurisdiction";

// The regulator's trend is one point per Shanghai day with snapshots. The console's chart was
// blank in every window of a new installation: its snapshots were all from one day, one point.

const DAY = 86_400_000;
const shanghaiDay = (date: Date) => date.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });
// Noon in Shanghai, so two snapshots of "today" never fall on either side of a midnight.
const noon = Date.parse(`${shanghaiDay(new Date())}T12:00:00+08:00`);
const daysAgo = (days: number) => new Date(noon - days * DAY);

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let siteId: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  // A face-recognition camera without a sign: the coverage figures are there, below 1.
  ({ siteId } = await makeAnalysedSite(testDb.db, orgId, {
    name: "Trend Court",
    cameras: [{ name: "Gate", rtspUrl: "rtsp://127.0.0.1:8554/trend" }],
  }));
});
afterAll(() => testDb?.drop());

describe("jurisdictionTrend", () => {
  it("has one point for a day of snapshots, however many were taken that day", async () => {
    await storeComplianceSnapshots(testDb.db, orgId, daysAgo(0));
    await storeComplianceSnapshots(testDb.db, orgId, new Date(noon + 60_000));
    for (const days of [30, 90, 365] as const) {
      const trend = await jurisdictionTrend(testDb.db, ["310000"], days);
      expect(
        trend.map((point) => point.day),
        `${days}`,
      ).toEqual([shanghaiDay(daysAgo(0))]);
    }
  });

  it("answers each window's days, oldest first, for the jurisdiction, an organisation and a site", async () => {
    for (const ago of [200, 60, 20, 3]) await storeComplianceSnapshots(testDb.db, orgId, daysAgo(ago));
    const expected = {
      30: [20, 3, 0],
      90: [60, 20, 3, 0],
      365: [200, 60, 20, 3, 0],
    };
    for (const [days, agos] of Object.entries(expected)) {
      const window = Number(days) as 30 | 90 | 365;
      const want = agos.map((ago) => shanghaiDay(daysAgo(ago)));
      for (const only of [{}, { orgId }, { siteId }]) {
        const trend = await jurisdictionTrend(testDb.db, ["310000"], window, only);
        expect(
          trend.map((point) => point.day),
          `${days} ${JSON.stringify(only)}`,
        ).toEqual(want);
        for (const point of trend) {
          expect(point.score).toBeGreaterThanOrEqual(0);
          expect(point.score).toBeLessThan(100);
          expect(point.signage).toBe(0);
        }
      }
    }
    // Another jurisdiction sees none of it.
    expect(await jurisdictionTrend(testDb.db, ["330000"], 365)).toEqual([]);
  });
});
