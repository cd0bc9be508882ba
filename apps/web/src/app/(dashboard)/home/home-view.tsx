"use client";

import type { RouterOutputs } from "@consentry/api";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { LoadFailed } from "~/components/load-failed";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Card, EmptyState, PageHeader } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type Item = RouterOutputs["attention"]["summary"]["items"][number];

/** Sites listed under an item before "and N more sites". */
const SITES_SHOWN = 8;
const linkClass = "font-medium text-brand-700 hover:underline";

export function HomeView() {
  const t = useTranslations("home");
  const format = useFormatter();
  const trpc = useTRPC();
  const org = useActiveOrg();
  const summary = useQuery({ ...trpc.attention.summary.queryOptions({ orgId: org.orgId }), refetchInterval: 60_000 });
  const data = summary.data;

  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle", { org: org.orgName })}
        actions={
          data && (
            <span className="text-xs text-slate-500" data-testid="attention-checked-at">
              {t("checkedAt", { time: format.dateTime(data.checkedAt, { dateStyle: "medium", timeStyle: "short" }) })}
            </span>
          )
        }
      />
      {summary.isError ? (
        <Card>
          <LoadFailed error={summary.error} onRetry={() => summary.refetch()} />
        </Card>
      ) : !data ? (
        <Card className="p-4">
          <div className="h-16 animate-pulse rounded bg-slate-100" />
        </Card>
      ) : (
        <div className="space-y-4">
          {!data.inferenceKnown && <Alert tone="amber">{t("inferenceUnknown")}</Alert>}
          {data.items.length === 0 ? (
            <Card>
              <div data-testid="attention-empty">
                <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
              </div>
            </Card>
          ) : (
            <ul className="space-y-4">
              {data.items.map((item) => (
                <AttentionCard key={item.kind} item={item} />
              ))}
            </ul>
          )}
          {!data.requestsIncluded && <p className="text-xs text-slate-500">{t("requestsHidden")}</p>}
        </div>
      )}
    </>
  );
}

function AttentionCard({ item }: { item: Item }) {
  const t = useTranslations("home");
  const format = useFormatter();
  const key = `items.${item.kind}` as const;
  const title =
    item.kind === "filing"
      ? t(`items.filing.title.${item.filing.status}`)
      : item.kind === "retentionFailed"
        ? t(`items.retentionFailed.title.${item.run.status}`)
        : t(`${key}.title`, { count: item.count });
  const hint =
    item.kind === "filing"
      ? `${t("items.filing.hint", { count: item.count, threshold: item.filing.threshold })}${
          item.filing.dueAt
            ? ` ${t("items.filing.dueBy", { date: format.dateTime(item.filing.dueAt, { dateStyle: "medium" }) })}`
            : ""
        }`
      : item.kind === "retentionFailed"
        ? t("items.retentionFailed.hint", {
            count: item.count,
            time: format.dateTime(item.run.startedAt, { dateStyle: "medium", timeStyle: "short" }),
          })
        : t(`${key}.hint`);
  const shown = item.sites.slice(0, SITES_SHOWN);
  const more = item.sites.length - shown.length;

  return (
    <li data-testid="attention-item" data-kind={item.kind}>
      <Card className="p-4">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <h2 className="flex items-center gap-2 text-base font-semibold">
              <span
                aria-hidden="true"
                className={`inline-block h-2.5 w-2.5 rounded-full ${item.tone === "red" ? "bg-red-500" : "bg-amber-400"}`}
              />
              {title}
            </h2>
            <p className="mt-1 max-w-3xl text-sm text-slate-600">{hint}</p>
          </div>
          <Link href={item.href} className={`${linkClass} text-sm whitespace-nowrap`}>
            {t(`${key}.action`)} →
          </Link>
        </div>
        {shown.length > 0 && (
          <ul aria-label={t("perSite")} className="mt-3 divide-y divide-slate-100 border-t border-slate-100 text-sm">
            {shown.map((site) => (
              <li
                key={site.siteId ?? "organisation"}
                className="flex items-center justify-between gap-3 py-2"
                data-testid="attention-site"
              >
                <Link href={site.href} className={linkClass}>
                  {site.siteName ?? t("organisationWide")}
                </Link>
                <Badge tone={item.tone}>{format.number(site.count)}</Badge>
              </li>
            ))}
            {more > 0 && (
              <li className="py-2">
                <Link href={item.href} className="text-slate-500 hover:underline">
                  {t("moreSites", { count: more })}
                </Link>
              </li>
            )}
          </ul>
        )}
      </Card>
    </li>
  );
}
