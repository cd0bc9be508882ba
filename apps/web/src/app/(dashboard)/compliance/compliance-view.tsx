"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useFindingText } from "~/components/finding-text";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Card, EmptyState, PageHeader, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { FilingRecord } from "./filing-form";
import { remediationFor } from "./remediation";
import { CoverageBar, ScoreBadge, SEVERITY_TONE } from "./widgets";

export function ComplianceView() {
  const t = useTranslations("compliance");
  const tc = useTranslations("common");
  const tf = useTranslations("remediation");
  const format = useFormatter();
  const findingText = useFindingText();
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const overview = useQuery({ ...trpc.compliance.overview.queryOptions({ orgId }), refetchInterval: 60_000 });

  if (overview.isError) return <Alert>{tc("loadFailed", { message: overview.error.message })}</Alert>;
  const data = overview.data;
  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      {/* The anchor organisation findings (CN-FR-15) link to, as on the site page's sections. */}
      <div id="filing" className="scroll-mt-4" />
      {data && (
        <Card className="mb-6 flex flex-wrap items-center gap-4 p-4 text-sm">
          <span className="font-medium">{t("filing")}</span>
          <Badge
            tone={
              data.filing.status === "overdue" || data.filing.status === "due"
                ? "red"
                : data.filing.status === "approaching"
                  ? "amber"
                  : "green"
            }
          >
            {t(`filingStatus.${data.filing.status}`)}
          </Badge>
          <span className="text-slate-600">
            {t("peopleWithTemplates", { count: data.filing.subjectsWithTemplates, threshold: data.filing.threshold })}
          </span>
          {data.filing.dueAt && (
            <span className="text-slate-600">
              {t("dueBy", { date: format.dateTime(data.filing.dueAt, { dateStyle: "medium" }) })}
            </span>
          )}
          {data.findings.map((finding) => {
            const fix = remediationFor(finding, null);
            return (
              <span key={`${finding.code}-${finding.target.id}`} className="flex flex-wrap items-center gap-2">
                <Badge tone={SEVERITY_TONE[finding.severity]}>
                  {finding.ruleId}: {findingText(finding).message}
                </Badge>
                {/* The filing form is on this card; other organisation findings link to their page. */}
                {fix.action !== "filing" && (
                  <Link href={fix.href} className="text-xs font-medium text-brand-700 hover:underline">
                    {tf(`actions.${fix.action}`)} →
                  </Link>
                )}
              </span>
            );
          })}
          <FilingRecord />
        </Card>
      )}
      <Card>
        {data?.sites.length === 0 ? (
          <EmptyState title={tc("notYetTitle")} />
        ) : (
          <Table
            head={[t("site"), t("score"), t("signage"), t("consent"), t("alternatives"), t("onTime"), t("findings")]}
          >
            {!data ? (
              <SkeletonRows columns={7} />
            ) : (
              data.sites.map((site) => (
                <tr key={site.siteId} data-testid="compliance-row">
                  <Td>
                    <Link href={`/compliance/${site.siteId}`} className="font-medium text-brand-700 hover:underline">
                      {site.name}
                    </Link>
                  </Td>
                  <Td>
                    <ScoreBadge score={site.score} />
                  </Td>
                  <Td>
                    <CoverageBar value={site.coverage.signage} label={t("signage")} />
                  </Td>
                  <Td>
                    <CoverageBar value={site.coverage.consent} label={t("consent")} />
                  </Td>
                  <Td>
                    <CoverageBar value={site.coverage.alternatives} label={t("alternatives")} />
                  </Td>
                  <Td>
                    <CoverageBar value={site.coverage.requestsOnTime} label={t("onTime")} />
                  </Td>
                  <Td>
                    <div className="flex flex-wrap gap-1">
                      {(["critical", "high", "medium", "info"] as const).map(
                        (severity) =>
                          site.counts[severity] > 0 && (
                            <Badge key={severity} tone={SEVERITY_TONE[severity]}>
                              {t(`severity.${severity}`)} {site.counts[severity]}
                            </Badge>
                          ),
                      )}
                      {site.topFindings.length === 0 && <span className="text-xs text-slate-500">{t("none")}</span>}
                    </div>
                  </Td>
                </tr>
              ))
            )}
          </Table>
        )}
      </Card>
    </>
  );
}
