"use client";

import type { RouterOutputs } from "@consentry/api";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { useMemo, useState } from "react";
import { downloadText } from "~/components/download";
import { Alert, Badge, Button, Card, EmptyState, Input, PageHeader, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CoverageBar, ScoreBadge } from "../compliance/widgets";
import { AuditAnchors } from "./audit-anchors";
import { RegionMoves } from "./region-moves";
import { TrendChart } from "./trend-chart";

type Site = RouterOutputs["regulator"]["sites"][number];
type SortKey = "score" | "critical" | "site" | "organization" | "frCameras";
const SORTS: Record<SortKey, (a: Site, b: Site) => number> = {
  score: (a, b) => (a.score ?? 101) - (b.score ?? 101),
  critical: (a, b) => b.critical - a.critical,
  site: (a, b) => a.siteName.localeCompare(b.siteName),
  organization: (a, b) => a.orgName.localeCompare(b.orgName),
  frCameras: (a, b) => b.frCameras - a.frCameras,
};
const percent = (value: number | null) => (value === null ? "—" : `${Math.round(value * 100)}%`);

/** The regulator's console: the jurisdiction's figures, trends and every site, worst first. */
export function RegulatorConsole() {
  const t = useTranslations("regulator");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  // The PDF's findings in the language the console is read in.
  const locale = useLocale();
  const overview = useQuery(trpc.regulator.overview.queryOptions());
  const sites = useQuery(trpc.regulator.sites.queryOptions());
  const [sort, setSort] = useState<SortKey>("score");
  const [filter, setFilter] = useState("");
  const csv = useMutation({
    mutationFn: (table: "sites" | "organizations") =>
      queryClient.fetchQuery(
        table === "sites" ? trpc.regulator.sitesCsv.queryOptions() : trpc.regulator.organizationsCsv.queryOptions(),
      ),
    onSuccess: ({ filename, csv: text }) => downloadText(filename, text, "text/csv;charset=utf-8"),
  });
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (sites.data ?? [])
      .filter((site) =>
        [site.siteName, site.orgName, site.regionCode, site.siteCode].some((v) => v.toLowerCase().includes(needle)),
      )
      .sort(SORTS[sort]);
  }, [sites.data, filter, sort]);

  if (overview.isError) return <Alert>{tc("loadFailed", { message: overview.error.message })}</Alert>;
  const o = overview.data;
  const figures: [string, string | number][] = o
    ? [
        [t("frSites"), `${o.sitesWithFaceRecognition} / ${o.sites}`],
        [t("cameras"), `${o.frCameras} / ${o.cameras}`],
        [t("enrolled"), o.enrolledPeople],
        [t("averageScore"), o.averageScore === null ? "—" : Math.round(o.averageScore)],
        [t("critical"), o.criticalFindings],
        [t("signage"), percent(o.coverage.signage)],
        [t("consent"), percent(o.coverage.consent)],
        [t("alternatives"), percent(o.coverage.alternatives)],
        [t("requests"), t("requestFigures", o.requests)],
      ]
    : [];
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={o ? t("subtitle", { authority: o.authority, codes: o.jurisdictionCodes.join(", ") }) : undefined}
        actions={
          <div className="flex gap-2">
            <Button variant="secondary" disabled={csv.isPending} onClick={() => csv.mutate("sites")}>
              {t("downloadCsv")}
            </Button>
            <Button variant="secondary" disabled={csv.isPending} onClick={() => csv.mutate("organizations")}>
              {t("downloadOrganizationsCsv")}
            </Button>
            <a
              href={`/api/regulator/report?scope=jurisdiction&locale=${locale}`}
              download
              className="rounded-md border border-slate-300 px-3.5 py-2 text-sm font-medium hover:bg-slate-50"
            >
              {t("downloadPdf")}
            </a>
          </div>
        }
      />
      <div className="mb-4">
        <Alert tone="blue">{t("notice")}</Alert>
      </div>
      {o?.auditChain && !o.auditChain.ok && (
        <div className="mb-4">
          <Alert>{t("chainBroken")}</Alert>
        </div>
      )}
      <div className="mb-6 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-5" data-testid="figures">
        {figures.map(([label, value]) => (
          <Card key={label} className="p-3">
            <p className="text-xs text-slate-500">{label}</p>
            <p className="text-lg font-semibold tabular-nums">{value}</p>
          </Card>
        ))}
      </div>
      <Card className="mb-6">
        <TrendChart />
      </Card>
      <RegionMoves />
      <AuditAnchors />
      {o && o.nearFilingThreshold.length > 0 && (
        <Card className="mb-6 p-4 text-sm">
          <h2 className="mb-2 font-semibold">{t("filingThreshold")}</h2>
          {o.nearFilingThreshold.map((org) => (
            <p key={org.orgId}>
              <a
                className="text-brand-700 underline"
                href={`/api/regulator/report?scope=organization&id=${org.orgId}&locale=${locale}`}
                download
              >
                {org.orgName}
              </a>
              : {org.peopleWithTemplates.toLocaleString()}{" "}
              <Badge tone={org.filed ? "green" : "red"}>{org.filed ? t("filed") : t("notFiled")}</Badge>
            </p>
          ))}
        </Card>
      )}
      {o && o.organizations.length > 0 && (
        <Card className="mb-6">
          <h2 className="px-4 pt-4 text-sm font-semibold">{t("organizations")}</h2>
          <Table
            head={[
              t("organization"),
              t("sitesCount"),
              t("averageScore"),
              t("critical"),
              t("peopleWithTemplates"),
              t("filing"),
              t("auditChain"),
            ]}
          >
            {o.organizations.map((org) => (
              <tr key={org.orgId} data-testid="regulator-org-row">
                <Td>
                  <a
                    className="font-medium text-brand-700 hover:underline"
                    href={`/api/regulator/report?scope=organization&id=${org.orgId}&locale=${locale}`}
                    download
                  >
                    {org.orgName}
                  </a>
                </Td>
                <Td>{org.sites}</Td>
                <Td>{org.averageScore === null ? "—" : Math.round(org.averageScore)}</Td>
                <Td>{org.critical > 0 ? <Badge tone="red">{org.critical}</Badge> : 0}</Td>
                <Td>{org.peopleWithTemplates.toLocaleString()}</Td>
                <Td>{org.filed ? <Badge tone="green">{t("filed")}</Badge> : t("notFiled")}</Td>
                <Td>
                  {org.auditChainOk === false ? (
                    <Badge tone="red">{t("chainBrokenShort")}</Badge>
                  ) : org.auditChainOk ? (
                    <Badge tone="green">{t("chainOk")}</Badge>
                  ) : (
                    t("chainUnchecked")
                  )}
                </Td>
              </tr>
            ))}
          </Table>
        </Card>
      )}
      <Card>
        <div className="flex flex-wrap items-center gap-3 p-4">
          <Input
            aria-label={t("filter")}
            placeholder={t("filter")}
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            className="max-w-xs"
          />
          <label className="flex items-center gap-2 text-sm">
            {t("sortBy")}
            <select
              value={sort}
              onChange={(event) => setSort(event.target.value as SortKey)}
              className="rounded-md border border-slate-300 px-2 py-1 text-sm"
            >
              {(Object.keys(SORTS) as SortKey[]).map((key) => (
                <option key={key} value={key}>
                  {t(`sorts.${key}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {sites.data?.length === 0 ? (
          <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
        ) : (
          <Table
            head={[
              t("site"),
              t("organization"),
              t("region"),
              t("frCameras"),
              t("score"),
              t("critical"),
              t("signage"),
              t("consent"),
            ]}
          >
            {shown.map((site) => (
              <tr key={site.siteId} data-testid="regulator-site-row">
                <Td>
                  <Link href={`/regulator/sites/${site.siteId}`} className="font-medium text-brand-700 hover:underline">
                    {site.siteName}
                  </Link>
                </Td>
                <Td>{site.orgName}</Td>
                <Td className="font-mono text-xs">{site.regionCode}</Td>
                <Td>
                  {site.frCameras} / {site.cameras}
                </Td>
                <Td>{site.score === null ? "—" : <ScoreBadge score={site.score} />}</Td>
                <Td>{site.critical > 0 ? <Badge tone="red">{site.critical}</Badge> : 0}</Td>
                <Td>
                  <CoverageBar value={site.coverage.signage} label={t("signage")} />
                </Td>
                <Td>
                  <CoverageBar value={site.coverage.consent} label={t("consent")} />
                </Td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
    </>
  );
}
