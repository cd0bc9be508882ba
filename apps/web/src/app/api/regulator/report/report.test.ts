import { callerFor, makePrincipal } from "@consentry/api/testing";
import { storeComplianceSnapshots } from "@consentry/core/compliance";
import { buildRegulatorReport } from "@consentry/core/regulator";
import { makeAnalysedSite, makeOrganization } from "@consentry/core/testing";
import { createTestDatabase } from "@consentry/db/testing";
import { NextRequest } from "next/server";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportLanguage, reportLocale } from "./language";

// The regulator's PDFs: the trend as a chart (or why there is none yet) and the findings in the
// reader's language, as the console words them.

const DAY = 86_400_000;
let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let siteId: string;
let orgId: string;
beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db, "Bund Estates")).id;
  // Face recognition at a gate without a sign: findings that name the camera.
  ({ siteId } = await makeAnalysedSite(testDb.db, orgId, {
    name: "Bund Court",
    cameras: [{ name: "North gate", rtspUrl: "rtsp://127.0.0.1:8554/report" }],
  }));
  await storeComplianceSnapshots(testDb.db, orgId);
}, 60_000);
afterAll(() => testDb?.drop());

const regulator = async () =>
  callerFor(testDb.db, await makePrincipal(testDb.db, { jurisdictionCodes: ["310000"] })).regulator;

describe("the regulator's PDF report", () => {
  it("says there is not enough data for a trend while all snapshots are from one day", async () => {
    const views = await regulator();
    for (const scope of [{ kind: "jurisdiction" as const }, { kind: "site" as const, siteId }]) {
      const text = squeeze(await pdfText((await buildRegulatorReport(views, scope, reportLanguage("en"))).pdf));
      expect(text, scope.kind).toContain(squeeze("Trend (365 天 days)"));
      expect(text, scope.kind).toContain(squeeze("Not enough data yet"));
    }
  }, 30_000);

  it("draws the trend with its axis, days and legend once there are two days, and words findings in Chinese", async () => {
    await storeComplianceSnapshots(testDb.db, orgId, new Date(Date.now() - 10 * DAY));
    const views = await regulator();
    const site = await views.site({ siteId });
    const days = (await views.trend({ days: 365, siteId })).map((point) => point.day);
    expect(days).toHaveLength(2);
    const zh = reportLanguage("zh-CN");
    const cameraFinding = site.findings.find((finding) => finding.target.label === "North gate");
    if (!cameraFinding) throw new Error("the camera has no finding");
    const chinese = zh.findingMessage(cameraFinding);
    expect(chinese).toMatch(/[\u4e00-\u9fff]/);
    expect(chinese).not.toBe(cameraFinding.message);

    const text = await pdfText((await buildRegulatorReport(views, { kind: "site", siteId }, zh)).pdf);
    const squeezed = squeeze(text);
    expect(squeezed).not.toContain(squeeze("Not enough data yet"));
    // The chart's text: the 0–100 axis, the first and last day, the legend.
    for (const label of ["0", "25", "50", "75", "100", ...days]) expect(text.split(/\s+/)).toContain(label);
    for (const label of ["得分 Score", "标识覆盖 Signage %", "同意覆盖 Consent %", "替代方式 Alternatives %"])
      expect(squeezed).toContain(squeeze(label));
    // Every finding of the site, in Chinese where the console shows it in Chinese.
    expect(squeezed).toContain(squeeze(chinese));
    expect(squeezed).not.toContain(squeeze(cameraFinding.message));
    for (const finding of site.findings) expect(squeezed).toContain(squeeze(zh.findingMessage(finding)));
    expect(squeezed).toContain(squeeze(`[${zh.severity(cameraFinding.severity)}]`));

    // The same report for an English reader keeps the engine's English.
    const english = squeeze(
      await pdfText((await buildRegulatorReport(views, { kind: "site", siteId }, reportLanguage("en"))).pdf),
    );
    expect(english).toContain(squeeze(cameraFinding.message));
    expect(english).not.toContain(squeeze(chinese));
  }, 30_000);
});

describe("the report's language", () => {
  const request = (query: string, headers: Record<string, string> = {}) =>
    new NextRequest(`http://127.0.0.1:3000/api/regulator/report?scope=jurisdiction${query}`, { headers });

  it("is ?locale= if given, else the saved choice, else the browser's language, else Chinese", () => {
    expect(reportLocale(request("&locale=en", { cookie: "NEXT_LOCALE=zh-CN" }))).toBe("en");
    expect(reportLocale(request("&locale=fr", { cookie: "NEXT_LOCALE=en" }))).toBe("en");
    expect(reportLocale(request("", { "accept-language": "en-GB,en;q=0.8" }))).toBe("en");
    expect(reportLocale(request("", { "accept-language": "zh-TW" }))).toBe("zh-CN");
    expect(reportLocale(request(""))).toBe("zh-CN");
  });
});

const squeeze = (text: string) => text.replace(/\s+/g, "");

/** The text of every page, as a reader would copy it (text runs may split anywhere). */
async function pdfText(bytes: Buffer): Promise<string> {
  const document = await getDocument({ data: new Uint8Array(bytes) }).promise;
  const pages = await Promise.all(
    Array.from({ length: document.numPages }, async (_, i) => {
      const content = await (await document.getPage(i + 1)).getTextContent();
      return content.items.map((item) => ("str" in item ? item.str : "")).join(" ");
    }),
  );
  await document.destroy();
  return pages.join("\n");
}
