"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, EmptyState, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { RetentionPolicyRow } from "./retention-policy-row";
import { Section } from "./section";

const STATUS_TONES = { running: "blue", completed: "green", failed: "red", interrupted: "amber" } as const;
/** The order counts are listed in a run's row (as in the policy table; photo files beside photos). */
const COUNT_ORDER = [
  "templates",
  "recognition_events",
  "unknown_face_counts",
  "enrolment_photos",
  "photo_files",
  "camera_status_history",
  "portal_requests",
  "portal_contact",
  "unverified_requests",
] as const;

/** What the site keeps and for how long (CN-FR-07), when the job runs next and what it deleted here. */
export function RetentionSection({ siteId }: { siteId: string }) {
  const t = useTranslations("retention");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const org = useActiveOrg();
  const report = useQuery(trpc.retention.site.queryOptions({ orgId: org.orgId, siteId }));
  const canEdit = org.role === "owner";
  const when = (date: Date) => format.dateTime(date, { dateStyle: "medium", timeStyle: "short" });

  if (report.isError) {
    return (
      <Section id="retention" title={t("title")}>
        <div className="px-4 pb-4">
          <Alert>{tc("loadFailed", { message: report.error.message })}</Alert>
        </div>
      </Section>
    );
  }
  const data = report.data;
  return (
    <Section id="retention" title={t("title")}>
      <div data-testid="retention-panel">
        <p className="px-4 pb-1 text-sm text-slate-600">{t("intro")}</p>
        <p className="px-4 pb-2 text-sm font-medium" data-testid="retention-next-run">
          {data ? t("nextRun", { date: when(data.nextRunAt) }) : tc("loading")}
        </p>
        {!canEdit && <p className="px-4 pb-2 text-xs text-slate-500">{t("ownersOnly")}</p>}
        <Table
          head={[
            t("columns.kind"),
            t("columns.period"),
            t("columns.default"),
            t("columns.changed"),
            ...(canEdit ? [""] : []),
          ]}
        >
          {data ? (
            data.policy.map((row) => (
              <RetentionPolicyRow
                key={row.kind}
                siteId={siteId}
                row={row}
                nextRunAt={data.nextRunAt}
                templateMaxDays={data.templateMaxDays}
                canEdit={canEdit}
              />
            ))
          ) : (
            <SkeletonRows columns={canEdit ? 5 : 4} rows={8} />
          )}
        </Table>
        <p className="px-4 py-3 text-xs text-slate-500">{t("installation")}</p>

        <h3 className="px-4 pt-2 pb-2 text-sm font-semibold">{t("runs.title")}</h3>
        {data?.runs.length === 0 ? (
          <EmptyState title={t("runs.empty")} />
        ) : (
          <Table head={[t("runs.started"), t("runs.status"), t("runs.deleted")]}>
            {(data?.runs ?? []).map((run) => {
              const counts = COUNT_ORDER.flatMap((kind) => {
                const count = run.deleted[kind];
                return count ? [t("runs.count", { kind: t(`kinds.${kind}`), count })] : [];
              });
              return (
                <tr key={run.id} data-testid="retention-run-row">
                  <Td className="whitespace-nowrap">{when(run.startedAt)}</Td>
                  <Td>
                    <Badge tone={STATUS_TONES[run.status]}>{t(`runs.statuses.${run.status}`)}</Badge>
                    {(run.status === "failed" || run.status === "interrupted") && (
                      <p className="mt-1 text-xs text-slate-600">
                        {t(run.status === "failed" ? "runs.failedNote" : "runs.interruptedNote")}
                      </p>
                    )}
                  </Td>
                  <Td className="text-slate-600">{counts.length === 0 ? t("runs.nothing") : counts.join(" · ")}</Td>
                </tr>
              );
            })}
          </Table>
        )}
      </div>
    </Section>
  );
}
