"use client";

import type { RouterOutputs } from "@consentry/api";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useFindingText } from "~/components/finding-text";
import { isNotFound, NotFoundCard } from "~/components/not-found-card";
import { useActiveOrg } from "~/components/org-context";
import { useTargetLabel } from "~/components/target-label";
import { Alert, Badge, Card, EmptyState, PageHeader } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { fixesFirst, inFixOrder, remediationFor } from "../remediation";
import { CoverageBar, ScoreBadge, SEVERITY_TONE } from "../widgets";

type SiteReport = RouterOutputs["compliance"]["site"];

const SERIES = [
  { key: "signage", color: "#10b981" },
  { key: "consent", color: "#1d5fd1" },
  { key: "alternatives", color: "#f59e0b" },
] as const;

/** Coverage over time from snapshots, as a small line chart (0–100 %). */
function CoverageChart({ history }: { history: SiteReport["history"] }) {
  const t = useTranslations("compliance");
  const format = useFormatter();
  if (history.length === 0) return <p className="text-sm text-slate-500">{t("noHistory")}</p>;
  const width = 600;
  const height = 160;
  const x = (i: number) => (history.length === 1 ? width / 2 : (i / (history.length - 1)) * width);
  const y = (value: number) => height - value * height;
  return (
    <figure>
      <svg viewBox={`-4 -4 ${width + 8} ${height + 8}`} className="h-40 w-full" role="img" aria-label={t("history")}>
        <line x1={0} x2={width} y1={height} y2={height} stroke="#e2e8f0" />
        <line x1={0} x2={width} y1={0} y2={0} stroke="#e2e8f0" strokeDasharray="4 4" />
        {SERIES.map(({ key, color }) => {
          const points = history.flatMap((point, i) => {
            const value = point.coverage[key];
            return value === null || value === undefined ? [] : [`${x(i)},${y(value)}`];
          });
          return points.length ? (
            <polyline key={key} points={points.join(" ")} fill="none" stroke={color} strokeWidth={2} />
          ) : null;
        })}
      </svg>
      <figcaption className="mt-1 flex flex-wrap justify-between gap-2 text-xs text-slate-500">
        <span>{format.dateTime(history[0]?.at as Date, { dateStyle: "medium" })}</span>
        <span className="flex gap-3">
          {SERIES.map(({ key, color }) => (
            <span key={key} className="flex items-center gap-1">
              <span className="inline-block size-2 rounded-full" style={{ background: color }} />
              {t(key)}
            </span>
          ))}
        </span>
        <span>{format.dateTime(history.at(-1)?.at as Date, { dateStyle: "medium" })}</span>
      </figcaption>
    </figure>
  );
}

export function SiteCompliance({ siteId }: { siteId: string }) {
  const t = useTranslations("compliance");
  const tc = useTranslations("common");
  const tf = useTranslations("remediation");
  const findingText = useFindingText();
  const targetLabel = useTargetLabel();
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const report = useQuery(trpc.compliance.site.queryOptions({ orgId, siteId }));

  if (report.isError) {
    return isNotFound(report.error) ? (
      <NotFoundCard backHref="/compliance" backLabel={t("back")} />
    ) : (
      <Alert>{tc("loadFailed", { message: report.error.message })}</Alert>
    );
  }
  if (!report.data) return <p className="text-sm text-slate-500">{tc("loading")}</p>;
  const data = report.data;
  return (
    <>
      <Link href="/compliance" className="text-sm text-brand-700 hover:underline">
        ← {t("back")}
      </Link>
      <PageHeader
        title={data.site.name}
        subtitle={t("profile", { profile: data.profile })}
        actions={<ScoreBadge score={data.score} />}
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="space-y-3 p-4">
          {(
            [
              ["signage", data.coverage.signage],
              ["consent", data.coverage.consent],
              ["alternatives", data.coverage.alternatives],
              ["onTime", data.coverage.requestsOnTime],
            ] as const
          ).map(([key, value]) => (
            <div key={key} className="flex items-center justify-between gap-3 text-sm">
              <span>{t(key)}</span>
              <CoverageBar value={value} label={t(key)} />
            </div>
          ))}
        </Card>
        <Card className="p-4 lg:col-span-2">
          <h2 className="mb-2 text-sm font-semibold">{t("history")}</h2>
          <CoverageChart history={data.history} />
        </Card>
      </div>
      <div className="mt-6 space-y-4">
        {data.rules.length === 0 ? (
          <Card>
            <EmptyState title={t("none")} />
          </Card>
        ) : (
          inFixOrder(data.rules).map((rule) => (
            <Card key={rule.ruleId} className="p-4">
              <h2 className="flex flex-wrap items-center gap-2 text-sm font-semibold" data-testid="rule-group">
                {rule.severity && <Badge tone={SEVERITY_TONE[rule.severity]}>{t(`severity.${rule.severity}`)}</Badge>}
                <span className="font-mono">{rule.ruleId}</span>
                <span>
                  {t.has(`rules.${rule.ruleId}` as "rules.CN-FR-02")
                    ? t(`rules.${rule.ruleId}` as "rules.CN-FR-02")
                    : ""}
                </span>
                {fixesFirst(rule.ruleId) && (
                  <span data-testid="fix-first" title={tf("fixFirstHint")}>
                    <Badge tone="blue">{tf("fixFirst")}</Badge>
                  </span>
                )}
              </h2>
              <ul className="mt-3 divide-y divide-slate-100">
                {rule.findings.map((finding) => {
                  const text = findingText(finding);
                  const fix = remediationFor(finding, siteId);
                  return (
                    <li
                      key={`${finding.code}-${finding.target.type}-${finding.target.id}`}
                      className="py-2 text-sm"
                      data-testid="finding"
                      data-code={finding.code}
                    >
                      <div className="flex flex-wrap items-baseline justify-between gap-2">
                        <span>
                          <span className="font-medium">{targetLabel(finding.target)}</span> — {text.message}
                        </span>
                        <Link
                          href={fix.href}
                          className="text-xs font-medium whitespace-nowrap text-brand-700 hover:underline"
                        >
                          {tf(`actions.${fix.action}`)} →
                        </Link>
                      </div>
                      <p className="mt-0.5 text-xs text-slate-500">
                        {t("remediation")}: {text.remediation}
                      </p>
                    </li>
                  );
                })}
              </ul>
            </Card>
          ))
        )}
      </div>
    </>
  );
}
