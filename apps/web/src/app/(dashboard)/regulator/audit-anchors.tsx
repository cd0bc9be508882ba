"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { Alert, Badge, Card, EmptyState, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

/**
 * The audit chain's signed daily heads (kept outside the chain) and its latest verification, for
 * the regulator console: a rewrite of the log by someone with table access shows up here.
 */
export function AuditAnchors() {
  const t = useTranslations("auditAnchors");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const overview = useQuery(trpc.audit.anchors.queryOptions());

  if (overview.isError) return <Alert>{tc("loadFailed", { message: overview.error.message })}</Alert>;
  const check = overview.data?.latestCheck;
  return (
    <div className="mb-6" data-testid="audit-anchors">
      <Card>
        <div className="flex flex-wrap items-center justify-between gap-2 px-4 pt-4">
          <h2 className="text-sm font-semibold">{t("title")}</h2>
          <p className="text-sm" data-testid="audit-latest-check">
            {!overview.data ? null : !check ? (
              t("neverChecked")
            ) : check.ok ? (
              <>
                <Badge tone="green">{t("intact")}</Badge>{" "}
                {t("checkedAt", { at: format.dateTime(check.at, { dateStyle: "medium", timeStyle: "short" }) })} ·{" "}
                {t("entries", { count: check.checked })}
              </>
            ) : (
              <>
                <Badge tone="red">{t("broken")}</Badge>{" "}
                {t("brokenAt", {
                  id: check.brokenAtId ?? "—",
                  reason: t(`reasons.${check.reason ?? "unknown"}`),
                  at: format.dateTime(check.at, { dateStyle: "medium", timeStyle: "short" }),
                })}
              </>
            )}
          </p>
        </div>
        <p className="px-4 pt-1 text-xs text-slate-500">{t("explanation")}</p>
        {overview.data?.anchors.length === 0 ? (
          <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
        ) : (
          <Table head={[t("day"), t("headEntry"), t("headHash"), t("verified")]}>
            {!overview.data ? (
              <SkeletonRows columns={4} rows={3} />
            ) : (
              overview.data.anchors.map((anchor) => (
                <tr key={anchor.id} data-testid="audit-anchor-row">
                  <Td>{anchor.day}</Td>
                  <Td className="tabular-nums">#{anchor.headId}</Td>
                  <Td className="font-mono text-xs">{anchor.headHash}…</Td>
                  <Td>
                    {anchor.verified ? <Badge tone="green">{t("yes")}</Badge> : <Badge tone="red">{t("no")}</Badge>}
                  </Td>
                </tr>
              ))
            )}
          </Table>
        )}
      </Card>
    </div>
  );
}
