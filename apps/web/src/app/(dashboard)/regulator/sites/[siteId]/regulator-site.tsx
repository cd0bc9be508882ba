"use client";

import type { RouterOutputs } from "@consentry/api";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useLocale, useTranslations } from "next-intl";
import { useFindingText } from "~/components/finding-text";
import { isNotFound, NotFoundCard } from "~/components/not-found-card";
import { useTargetLabel } from "~/components/target-label";
import { Alert, Badge, Card, EmptyState, PageHeader } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CoverageBar, ScoreBadge, SEVERITY_TONE } from "../../../compliance/widgets";
import { TrendChart } from "../../trend-chart";
import { VideoAccessCounts } from "./video-access-counts";

/** One site as a regulator sees it: score, coverage, findings (no person named) and request timeliness. */
export function RegulatorSite({ siteId }: { siteId: string }) {
  const t = useTranslations("regulator");
  const tc = useTranslations("compliance");
  const tm = useTranslations("regulatorMoves");
  const format = useFormatter();
  const locale = useLocale();
  const trpc = useTRPC();
  const findingText = useFindingText();
  const targetLabel = useTargetLabel();
  const site = useQuery(trpc.regulator.site.queryOptions({ siteId }));
  if (site.isError) {
    return isNotFound(site.error) ? (
      <NotFoundCard backHref="/regulator" backLabel={t("title")} />
    ) : (
      <Alert>{site.error.message}</Alert>
    );
  }
  const s = site.data;
  if (!s) return null;
  const coverage = (s.coverage ?? {}) as Record<string, number | null>;
  return (
    <>
      <Link href="/regulator" className="text-sm text-brand-700 hover:underline">
        ← {t("title")}
      </Link>
      <PageHeader
        title={s.siteName}
        subtitle={`${s.orgName} · ${s.regionCode} · ${s.siteCode}${
          s.evaluatedAt
            ? ` · ${t("evaluatedAt", { date: format.dateTime(s.evaluatedAt, { dateStyle: "medium", timeStyle: "short" }) })}`
            : ""
        }`}
        actions={
          <div className="flex items-center gap-3">
            {s.score !== null && <ScoreBadge score={s.score} />}
            <a
              href={`/api/regulator/report?scope=site&id=${siteId}&locale=${locale}`}
              download
              className="rounded-md border border-slate-300 px-3.5 py-2 text-sm font-medium hover:bg-slate-50"
            >
              {t("downloadPdf")}
            </a>
          </div>
        }
      />
      {s.movedOut && (
        <div className="mb-4">
          <Alert tone="amber">
            {tm("movedOut", {
              date: format.dateTime(s.movedOut.changedAt, { dateStyle: "medium" }),
              from: s.movedOut.fromRegion,
              to: s.movedOut.toRegion,
            })}
          </Alert>
        </div>
      )}
      <div className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-5">
        {(["signage", "signageAllCameras", "consent", "alternatives", "requestsOnTime"] as const).map((key) => (
          <Card key={key} className="p-3">
            <p className="mb-1 text-xs text-slate-500">{t(`series.${key}`)}</p>
            <CoverageBar value={coverage[key] ?? null} label={key} />
          </Card>
        ))}
      </div>
      <Card className="mb-6 p-4 text-sm">
        <h2 className="mb-1 font-semibold">{t("requestTimeliness")}</h2>
        <p>{t("siteRequests", s.requests)}</p>
      </Card>
      <RetentionCard retention={s.retention} />
      <VideoAccessCounts counts={s.videoAccess} />
      <Card className="mb-6">
        <TrendChart siteId={siteId} />
      </Card>
      <Card>
        <h2 className="px-4 pt-4 text-sm font-semibold">{t("findings")}</h2>
        {s.findings.length === 0 ? (
          <EmptyState title={t("noFindings")} />
        ) : (
          <ul className="divide-y divide-slate-100">
            {s.findings.map((finding, index) => {
              const text = findingText({ ...finding, params: finding.params ?? undefined });
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed snapshot; redacted findings have no unique id
                <li key={`${finding.ruleId}-${index}`} className="px-4 py-3 text-sm" data-testid="regulator-finding">
                  <Badge tone={SEVERITY_TONE[finding.severity]}>{tc(`severity.${finding.severity}`)}</Badge>{" "}
                  <span className="font-mono text-xs">{finding.ruleId}</span>{" "}
                  {finding.target.label && <span className="font-medium">{targetLabel(finding.target)} — </span>}
                  {text.message}
                </li>
              );
            })}
          </ul>
        )}
      </Card>
    </>
  );
}

type Retention = RouterOutputs["regulator"]["site"]["retention"];
const RETENTION_TONE = { ok: "green", failed: "red", notRunning: "amber" } as const;

/** Whether the retention job runs for the site, when it last ran and what it deleted here: counts only. */
function RetentionCard({ retention }: { retention: Retention }) {
  const t = useTranslations("regulator.retention");
  const format = useFormatter();
  const when = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });
  const counts = (deleted: Partial<Record<string, number>>) => {
    const entries = Object.entries(deleted).filter(([, count]) => (count ?? 0) > 0);
    if (entries.length === 0) return <p className="text-slate-500">{t("nothingDeleted")}</p>;
    return (
      <ul className="grid grid-cols-2 gap-x-4">
        {entries.map(([kind, count]) => (
          <li key={kind}>
            {t(`kinds.${kind}` as "kinds.templates")}: {format.number(count ?? 0)}
          </li>
        ))}
      </ul>
    );
  };
  return (
    <section data-testid="regulator-retention">
      <Card className="mb-6 p-4 text-sm">
        <h2 className="mb-1 font-semibold">{t("title")}</h2>
        <p className="mb-2 text-slate-500">{t("intro")}</p>
        {!retention ? (
          <p>{t("movedOut")}</p>
        ) : (
          <div className="space-y-2">
            <p>
              <Badge tone={RETENTION_TONE[retention.state]}>{t(`state.${retention.state}`)}</Badge>
            </p>
            <p>
              {retention.lastRun
                ? t("lastRun", {
                    date: when(retention.lastRun.finishedAt ?? retention.lastRun.startedAt),
                    status: t(`status.${retention.lastRun.status}`),
                  })
                : t("never")}
              {" · "}
              {t("nextRun", { date: when(retention.nextRunAt) })}
            </p>
            {retention.lastRun && (
              <div>
                <h3 className="font-medium">{t("deletedLastRun")}</h3>
                {counts(retention.lastRun.deleted)}
              </div>
            )}
            <div>
              <h3 className="font-medium">{t("deletedInWindow", { days: retention.windowDays })}</h3>
              {counts(retention.deletedInWindow)}
            </div>
          </div>
        )}
      </Card>
    </section>
  );
}
