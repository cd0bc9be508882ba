import { RULE_CATALOGUE_VERSION } from "@consentry/compliance";
import PDFDocument from "pdfkit";
import { notFound } from "../errors";
import { pdfBytes, setBodyFont } from "../pdf";
import type {
  JurisdictionSite,
  JurisdictionSiteView,
  jurisdictionOverview,
  jurisdictionTrend,
  RegulatorFinding,
} from "./jurisdiction";

export type ReportInput = {
  title: string;
  subtitle: string;
  generatedAt: Date;
  catalogueVersion: string;
  auditChain: { ok: boolean; checkedAt: Date } | null;
  figures: [label: string, value: string | number][];
  trend: TrendPoint[];
  /** The window the trend covers, in days. */
  trendDays: number;
  table?: { head: string[]; rows: (string | number)[][] };
  findings?: { ruleId: string; severity: string; text: string }[];
};

export type TrendPoint = Awaited<ReturnType<typeof jurisdictionTrend>>[number];
/** The days a report's trend covers. */
export const REPORT_TREND_DAYS = 365;

const shanghai = (date: Date) =>
  date.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false, dateStyle: "medium", timeStyle: "short" });

/** The trend's series as the console draws them: the score, and coverage shares as percentages. */
const TREND_SERIES = [
  { key: "score", scale: 1, color: "#1d4ed8", label: "得分 Score" },
  { key: "signage", scale: 100, color: "#059669", label: "标识覆盖 Signage %" },
  { key: "consent", scale: 100, color: "#d97706", label: "同意覆盖 Consent %" },
  { key: "alternatives", scale: 100, color: "#7c3aed", label: "替代方式 Alternatives %" },
] as const;
const dayTime = (day: string) => Date.parse(`${day}T00:00:00Z`);

/**
 * The trend as a vector chart: a 0–100 axis with grid lines, the first, middle and last day
 * under it (placed by date, so gaps between snapshots show), a line per series and a legend.
 * With fewer than two days a line would be a lone point: the report says so instead.
 */
function drawTrend(doc: PDFKit.PDFDocument, trend: TrendPoint[], days: number) {
  const left = doc.page.margins.left;
  const height = 110;
  // Heading, plot, day labels and legend together: start a page rather than split the chart.
  if (trend.length >= 2 && doc.y + height + 80 > doc.page.height - doc.page.margins.bottom) doc.addPage();
  doc.moveDown().fillColor("#0f172a").fontSize(12).text(`趋势 Trend (${days} 天 days)`);
  doc.fontSize(9);
  if (trend.length < 2) {
    const only = trend[0];
    doc
      .fillColor("#475569")
      .text(
        `数据不足 Not enough data yet: a trend needs compliance snapshots from two days or more${
          only ? ` (so far only ${only.day}, score ${Math.round(only.score)})` : " (none in this period)"
        }.`,
      );
    doc.fillColor("#0f172a");
    return;
  }
  const gutter = 28;
  const width = doc.page.width - doc.page.margins.right - left - gutter;
  const plotLeft = left + gutter;
  const top = doc.y + 6;
  const first = dayTime(trend[0]?.day ?? "");
  const span = dayTime(trend.at(-1)?.day ?? "") - first || 1;
  const x = (day: string) => plotLeft + ((dayTime(day) - first) / span) * width;
  const y = (value: number) => top + height - (Math.max(0, Math.min(100, value)) / 100) * height;

  doc.fontSize(7).lineWidth(0.5);
  for (const tick of [0, 25, 50, 75, 100]) {
    doc
      .moveTo(plotLeft, y(tick))
      .lineTo(plotLeft + width, y(tick))
      .strokeColor(tick === 0 ? "#94a3b8" : "#e2e8f0")
      .stroke();
    doc
      .fillColor("#475569")
      .text(String(tick), left, y(tick) - 3, { width: gutter - 4, align: "right", lineBreak: false });
  }
  doc
    .moveTo(plotLeft, top)
    .lineTo(plotLeft, top + height)
    .strokeColor("#94a3b8")
    .stroke();
  // The first and last day, and the calendar day halfway between once there is one.
  const DAY = 86_400_000;
  const last = first + span;
  const ticks = [first, ...(span >= 2 * DAY ? [first + Math.round(span / 2 / DAY) * DAY] : []), last];
  for (const [i, time] of ticks.entries()) {
    const align = i === 0 ? "left" : i === ticks.length - 1 ? "right" : "center";
    const at = plotLeft + ((time - first) / span) * width - (align === "left" ? 0 : align === "right" ? 60 : 30);
    const day = new Date(time).toISOString().slice(0, 10);
    doc.text(day, at, top + height + 3, { width: 60, align, lineBreak: false });
  }

  for (const series of TREND_SERIES) {
    doc.lineWidth(1.5).strokeColor(series.color).fillColor(series.color);
    // A day without the value (no camera to cover, say) breaks the line rather than dropping to 0.
    let drawing = false;
    for (const point of trend) {
      const value = point[series.key];
      if (value === null) {
        drawing = false;
        continue;
      }
      const [px, py] = [x(point.day), y(value * series.scale)];
      if (drawing) doc.lineTo(px, py);
      else doc.moveTo(px, py);
      drawing = true;
    }
    doc.stroke();
    for (const point of trend) {
      const value = point[series.key];
      if (value !== null) doc.circle(x(point.day), y(value * series.scale), 1.5).fill();
    }
  }

  let legendX = plotLeft;
  const legendY = top + height + 14;
  for (const series of TREND_SERIES) {
    doc
      .rect(legendX, legendY + 1, 8, 5)
      .fillColor(series.color)
      .fill();
    doc
      .fillColor("#0f172a")
      .fontSize(7)
      .text(series.label, legendX + 11, legendY, { lineBreak: false });
    legendX += 11 + doc.widthOfString(series.label) + 14;
  }
  doc.x = left;
  doc.y = legendY + 12;
  doc.lineWidth(1).fillColor("#0f172a");
}

/**
 * A regulator's report as PDF: heading, date, rule catalogue version, audit-chain result, the
 * figures, the trend chart, and the sites or findings. Labels are bilingual; the findings are in
 * the reader's language (see ReportLanguage).
 */
export function renderReport(input: ReportInput): Promise<Buffer> {
  const doc = new PDFDocument({ size: "A4", margin: 48, info: { Title: input.title, Producer: "Consentry" } });
  setBodyFont(doc);
  const done = pdfBytes(doc);

  doc.fontSize(18).text(input.title);
  doc.fontSize(10).fillColor("#475569").text(input.subtitle);
  doc.moveDown(0.5);
  doc.text(`生成时间 Generated: ${shanghai(input.generatedAt)} (Asia/Shanghai)`);
  doc.text(`规则目录版本 Rule catalogue: ${input.catalogueVersion}`);
  doc.text(
    `审计链 Audit chain (CN-FR-14): ${
      input.auditChain
        ? `${input.auditChain.ok ? "校验通过 verifies" : "校验失败 BROKEN"} (${shanghai(input.auditChain.checkedAt)})`
        : "尚未校验 not yet verified"
    }`,
  );
  doc.moveDown().fillColor("#0f172a").fontSize(12).text("指标 Figures");
  doc.fontSize(10);
  for (const [label, value] of input.figures) doc.text(`${label}: ${value}`);

  drawTrend(doc, input.trend, input.trendDays);

  if (input.table) {
    doc.moveDown().fontSize(12).text("场所 Sites");
    doc.fontSize(8).text(input.table.head.join("  |  "));
    for (const row of input.table.rows) doc.text(row.join("  |  "));
  }
  if (input.findings) {
    doc.moveDown().fontSize(12).text("问题 Findings");
    doc.fontSize(9);
    if (input.findings.length === 0) doc.text("无 None");
    for (const finding of input.findings) {
      doc.text(`[${finding.severity}] ${finding.ruleId} ${finding.text}`);
      doc.moveDown(0.2);
    }
  }
  doc.end();
  return done;
}

export type ReportScope =
  | { kind: "jurisdiction" }
  | { kind: "organization"; orgId: string }
  | { kind: "site"; siteId: string };
/**
 * The views a report is made of: the API's regulator procedures, which scope every query to the
 * caller's jurisdiction and audit each view.
 */
export type RegulatorViews = {
  overview(): Promise<
    Awaited<ReturnType<typeof jurisdictionOverview>> & { authority: string; jurisdictionCodes: string[] }
  >;
  sites(): Promise<JurisdictionSite[]>;
  site(input: { siteId: string }): Promise<JurisdictionSiteView>;
  trend(input: { days: 30 | 90 | 365; siteId?: string; orgId?: string }): ReturnType<typeof jurisdictionTrend>;
};
/**
 * The reader's language in a report: finding texts and severities. The figures' labels are
 * bilingual either way; without a language the findings keep the rules engine's English.
 */
export type ReportLanguage = {
  findingMessage(finding: RegulatorFinding): string;
  severity(severity: RegulatorFinding["severity"]): string;
};
const ENGLISH: ReportLanguage = { findingMessage: (finding) => finding.message, severity: (severity) => severity };

const pct = (value: number | null | undefined) => (value == null ? "—" : `${Math.round(value * 100)}%`);

const RETENTION_STATE = { ok: "运行正常 runs", failed: "上次失败 last run failed", notRunning: "未在运行 not running" };
const countsText = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([kind, count]) => `${kind} ${count}`)
    .join(", ") || "0";

/** Whether the retention job runs for the site and what it deleted there: counts only. */
function retentionFigures(retention: JurisdictionSiteView["retention"]): [string, string][] {
  if (!retention) return [];
  const run = retention.lastRun;
  return [
    ["保存期限清理 Retention job", RETENTION_STATE[retention.state]],
    [
      "上次运行 Last run",
      run ? `${shanghai(run.finishedAt ?? run.startedAt)} ${run.status}; deleted: ${countsText(run.deleted)}` : "—",
    ],
    [
      `近 ${retention.windowDays} 天删除 Deleted, last ${retention.windowDays} days`,
      countsText(retention.deletedInWindow),
    ],
  ];
}

/** Gathers a report through the regulator's own (audited, jurisdiction-scoped) views and renders it. */
export async function buildRegulatorReport(
  views: RegulatorViews,
  scope: ReportScope,
  language: ReportLanguage = ENGLISH,
): Promise<{ pdf: Buffer; name: string }> {
  const overview = await views.overview();
  const header = {
    generatedAt: new Date(),
    catalogueVersion: RULE_CATALOGUE_VERSION,
    auditChain: overview.auditChain,
    trendDays: REPORT_TREND_DAYS,
  };
  if (scope.kind === "site") {
    const [site, trend] = await Promise.all([
      views.site({ siteId: scope.siteId }),
      views.trend({ days: REPORT_TREND_DAYS, siteId: scope.siteId }),
    ]);
    const coverage = (site.coverage ?? {}) as Record<string, number | null>;
    const pdf = await renderReport({
      ...header,
      title: `${site.siteName} — 场所合规报告 Site compliance report`,
      subtitle: `${site.orgName} · ${site.regionCode} · ${site.siteCode} · ${overview.authority}`,
      figures: [
        ["得分 Score", site.score ?? "—"],
        ["标识覆盖 Signage (FR cameras)", pct(coverage.signage)],
        ["标识覆盖 Signage (all cameras)", pct(coverage.signageAllCameras)],
        ["同意覆盖 Consent", pct(coverage.consent)],
        ["替代方式 Alternatives", pct(coverage.alternatives)],
        [
          "请求 Requests (received / open / on time / late)",
          `${site.requests.received} / ${site.requests.open} / ${site.requests.onTime} / ${site.requests.late}`,
        ],
        ...retentionFigures(site.retention),
        // A site that moved out: the report covers its time in this jurisdiction (CN-SITE-01).
        ...(site.movedOut
          ? ([
              [
                "迁出辖区 Moved out",
                `${shanghai(site.movedOut.changedAt)} ${site.movedOut.fromRegion} → ${site.movedOut.toRegion}`,
              ],
            ] as [string, string][])
          : []),
      ],
      trend,
      findings: site.findings.map((finding) => ({
        ruleId: finding.ruleId,
        severity: language.severity(finding.severity),
        text: `${finding.target.label ? `${finding.target.label}: ` : ""}${language.findingMessage(finding)}`,
      })),
    });
    return { pdf, name: `site-${site.siteCode}` };
  }
  const organization =
    scope.kind === "organization" ? overview.organizations.find((o) => o.orgId === scope.orgId) : null;
  if (scope.kind === "organization" && !organization) {
    return notFound("Organisation", "Organisation not found in your jurisdiction.");
  }
  const [allSites, trend] = await Promise.all([
    views.sites(),
    views.trend({ days: REPORT_TREND_DAYS, orgId: organization?.orgId }),
  ]);
  const sites = organization ? allSites.filter((site) => site.orgId === organization.orgId) : allSites;
  const pdf = await renderReport({
    ...header,
    title: organization
      ? `${organization.orgName} — 组织合规报告 Organisation compliance report`
      : `辖区合规报告 Jurisdiction compliance report`,
    subtitle: `${overview.authority} · ${overview.jurisdictionCodes.join(", ")}`,
    figures: organization
      ? [
          ["场所 Sites", organization.sites],
          ["平均得分 Average score", organization.averageScore === null ? "—" : Math.round(organization.averageScore)],
          ["严重问题 Critical findings", organization.critical],
          ["有模板人数 People with templates", organization.peopleWithTemplates],
          ["备案 Filed (CN-FR-15)", organization.filed ? "是 yes" : "否 no"],
          ["审计链 Audit chain", organization.auditChainOk === false ? "校验失败 BROKEN" : "校验通过 verifies"],
        ]
      : [
          [
            "使用人脸识别的场所 Sites with face recognition",
            `${overview.sitesWithFaceRecognition} / ${overview.sites}`,
          ],
          ["摄像头 Cameras (face recognition / all)", `${overview.frCameras} / ${overview.cameras}`],
          ["已录入人数 People enrolled", overview.enrolledPeople],
          ["平均得分 Average score", overview.averageScore === null ? "—" : Math.round(overview.averageScore)],
          ["严重问题 Critical findings", overview.criticalFindings],
          ["标识覆盖 Signage", pct(overview.coverage.signage)],
          ["同意覆盖 Consent", pct(overview.coverage.consent)],
          ["替代方式 Alternatives", pct(overview.coverage.alternatives)],
          [
            "请求 Requests (received / on time / overdue)",
            `${overview.requests.received} / ${overview.requests.onTime} / ${overview.requests.overdue}`,
          ],
        ],
    trend,
    table: {
      head: [
        "场所 Site",
        "组织 Organisation",
        "地区 Region",
        "得分 Score",
        "严重 Critical",
        "标识 Signage",
        "同意 Consent",
      ],
      rows: sites.map((site) => [
        site.siteName,
        site.orgName,
        site.regionCode,
        site.score ?? "—",
        site.critical,
        pct(site.coverage.signage),
        pct(site.coverage.consent),
      ]),
    },
  });
  return { pdf, name: organization ? `organisation-${organization.orgId.slice(0, 8)}` : "jurisdiction" };
}
