import { existsSync } from "node:fs";
import { RULE_CATALOGUE_VERSION } from "@consentry/compliance";
import PDFDocument from "pdfkit";
import { notFound } from "../errors";
import type { JurisdictionSite, JurisdictionSiteView, jurisdictionOverview, jurisdictionTrend } from "./jurisdiction";

/** Fonts with Chinese glyphs, in order of preference (Debian: fonts-wqy-microhei, fonts-noto-cjk). */
const CJK_FONTS = [
  "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
  "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
];

export type ReportInput = {
  title: string;
  subtitle: string;
  generatedAt: Date;
  catalogueVersion: string;
  auditChain: { ok: boolean; checkedAt: Date } | null;
  figures: [label: string, value: string | number][];
  trend: { day: string; score: number }[];
  table?: { head: string[]; rows: (string | number)[][] };
  findings?: { ruleId: string; severity: string; text: string }[];
};

const shanghai = (date: Date) =>
  date.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false, dateStyle: "medium", timeStyle: "short" });

/**
 * A regulator's report as PDF: heading, date, rule catalogue version, audit-chain result, the
 * figures, a score trend chart, and the sites or findings. Labels are bilingual.
 */
export function renderReport(input: ReportInput): Promise<Buffer> {
  const doc = new PDFDocument({ size: "A4", margin: 48, info: { Title: input.title, Producer: "Consentry" } });
  const font = CJK_FONTS.find((path) => existsSync(path));
  // Without a CJK font Chinese names would print as empty boxes; Helvetica keeps the rest readable.
  if (font) doc.font(font, font.includes("wqy") ? "WenQuanYiMicroHei" : "NotoSansCJKsc-Regular");
  const chunks: Buffer[] = [];
  doc.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve) => doc.on("end", () => resolve(Buffer.concat(chunks))));

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

  if (input.trend.length > 1) {
    doc.moveDown().fontSize(12).text("得分趋势 Score trend");
    const left = doc.x;
    const top = doc.y + 4;
    const width = 480;
    const height = 100;
    doc.rect(left, top, width, height).strokeColor("#cbd5e1").stroke();
    input.trend.forEach((point, i) => {
      const x = left + (i / (input.trend.length - 1)) * width;
      const y = top + height - (Math.max(0, Math.min(100, point.score)) / 100) * height;
      if (i === 0) doc.moveTo(x, y);
      else doc.lineTo(x, y);
    });
    doc.strokeColor("#1d4ed8").lineWidth(1.5).stroke();
    doc.fontSize(8).fillColor("#475569");
    doc.text(`${input.trend[0]?.day} – ${input.trend.at(-1)?.day} (0–100)`, left, top + height + 4);
    doc.x = left;
    doc.fillColor("#0f172a");
  }

  if (input.table) {
    doc.moveDown().fontSize(12).text("场所 Sites");
    doc.fontSize(8).text(input.table.head.join("  |  "));
    for (const row of input.table.rows) doc.text(row.join("  |  "));
  }
  if (input.findings) {
    doc.moveDown().fontSize(12).text("问题 Findings");
    doc.fontSize(9);
    if (input.findings.length === 0) doc.text("无 None");
    for (const finding of input.findings) doc.text(`[${finding.severity}] ${finding.ruleId} ${finding.text}`);
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
): Promise<{ pdf: Buffer; name: string }> {
  const overview = await views.overview();
  const header = {
    generatedAt: new Date(),
    catalogueVersion: RULE_CATALOGUE_VERSION,
    auditChain: overview.auditChain,
  };
  if (scope.kind === "site") {
    const [site, trend] = await Promise.all([
      views.site({ siteId: scope.siteId }),
      views.trend({ days: 365, siteId: scope.siteId }),
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
        severity: finding.severity,
        text: `${finding.target.label ? `${finding.target.label}: ` : ""}${finding.message}`,
      })),
    });
    return { pdf, name: `site-${site.siteCode}` };
  }
  const organization =
    scope.kind === "organization" ? overview.organizations.find((o) => o.orgId === scope.orgId) : null;
  if (scope.kind === "organization" && !organization) {
    return notFound("Organisation", "Organisation not found in your jurisdiction.");
  }
  const [allSites, trend] = await Promise.all([views.sites(), views.trend({ days: 365, orgId: organization?.orgId })]);
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
