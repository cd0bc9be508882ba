"use client";

import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import {
  Alert,
  Badge,
  Button,
  Card,
  EmptyState,
  Field,
  Input,
  PageHeader,
  SkeletonRows,
  Table,
  Td,
} from "~/components/ui";
import { useCsvExport } from "~/components/use-csv-export";
import { shanghaiDayEnd, shanghaiDayStart } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";

type Filters = { actor: string; action: string; targetType: string; targetId: string; from: string; to: string };
const NO_FILTERS: Filters = { actor: "", action: "", targetType: "", targetId: "", from: "", to: "" };

/** Date inputs name days in Shanghai, where the sites are: a range covers those whole days. */
function filterInput(filters: Filters) {
  return {
    actor: filters.actor || undefined,
    action: filters.action || undefined,
    targetType: filters.targetType || undefined,
    targetId: filters.targetId || undefined,
    from: filters.from ? shanghaiDayStart(filters.from) : undefined,
    to: filters.to ? shanghaiDayEnd(filters.to) : undefined,
  };
}

export function AuditLogView() {
  const t = useTranslations("auditLog");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);

  const filter = { orgId: org.orgId, ...filterInput(applied) };
  const entries = useInfiniteQuery(
    trpc.auditLog.list.infiniteQueryOptions(filter, { getNextPageParam: (page) => page.nextCursor ?? undefined }),
  );

  function apply(event: FormEvent) {
    event.preventDefault();
    setApplied(draft);
    csvExport.clearNote();
  }

  const csvExport = useCsvExport(
    () => queryClient.fetchQuery({ ...trpc.auditLog.exportCsv.queryOptions(filter), staleTime: 0 }),
    (file) => (file.capped ? t("exportCapped", { limit: file.limit }) : t("exported", { count: file.rows })),
  );

  const set = (key: keyof Filters) => (event: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [key]: event.target.value }));
  const items = entries.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Object.values(applied).some(Boolean);

  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={
          <Button
            variant="secondary"
            onClick={csvExport.run}
            disabled={csvExport.exporting}
            data-testid="audit-log-export"
          >
            {csvExport.exporting ? t("exporting") : t("export")}
          </Button>
        }
      />
      <ChainStatus orgId={org.orgId} />
      {csvExport.note && (
        <div className="mb-4" data-testid="audit-log-export-note">
          <Alert tone="blue">{csvExport.note}</Alert>
        </div>
      )}
      {csvExport.error && (
        <div className="mb-4">
          <Alert>{csvExport.error}</Alert>
        </div>
      )}
      <Card className="mb-4">
        <form onSubmit={apply} className="grid gap-3 p-4 sm:grid-cols-3 lg:grid-cols-6" aria-label={t("filters")}>
          <Field id="audit-actor" label={t("actor")}>
            <Input
              id="audit-actor"
              value={draft.actor}
              onChange={set("actor")}
              placeholder={t("actorHint")}
              maxLength={200}
            />
          </Field>
          <Field id="audit-action" label={t("action")}>
            <Input
              id="audit-action"
              value={draft.action}
              onChange={set("action")}
              placeholder={t("actionHint")}
              maxLength={100}
            />
          </Field>
          <Field id="audit-target-type" label={t("targetType")}>
            <Input
              id="audit-target-type"
              value={draft.targetType}
              onChange={set("targetType")}
              placeholder="camera"
              maxLength={100}
            />
          </Field>
          <Field id="audit-target-id" label={t("targetId")}>
            <Input id="audit-target-id" value={draft.targetId} onChange={set("targetId")} maxLength={200} />
          </Field>
          <Field id="audit-from" label={t("from")}>
            <Input id="audit-from" type="date" value={draft.from} onChange={set("from")} />
          </Field>
          <Field id="audit-to" label={t("to")}>
            <Input id="audit-to" type="date" value={draft.to} onChange={set("to")} />
          </Field>
          <div className="flex gap-2 sm:col-span-3 lg:col-span-6">
            <Button type="submit">{t("apply")}</Button>
            <Button
              variant="ghost"
              onClick={() => {
                setDraft(NO_FILTERS);
                setApplied(NO_FILTERS);
                csvExport.clearNote();
              }}
            >
              {t("clear")}
            </Button>
          </div>
        </form>
      </Card>
      {entries.isError ? (
        <Alert>{tc("loadFailed", { message: entries.error.message })}</Alert>
      ) : (
        <Card>
          {entries.data && items.length === 0 ? (
            <EmptyState
              title={filtered ? t("noMatchTitle") : t("emptyTitle")}
              body={filtered ? t("noMatchBody") : t("emptyBody")}
            />
          ) : (
            <Table head={[t("at"), t("actor"), t("action"), t("target"), t("details")]}>
              {!entries.data ? (
                <SkeletonRows columns={5} />
              ) : (
                items.map((item) => <EntryRow key={item.id} entry={item} />)
              )}
            </Table>
          )}
          {entries.hasNextPage && (
            <div className="border-t border-slate-100 p-3 text-center">
              <Button
                variant="secondary"
                onClick={() => entries.fetchNextPage()}
                disabled={entries.isFetchingNextPage}
                data-testid="audit-log-older"
              >
                {entries.isFetchingNextPage ? tc("loading") : t("loadOlder")}
              </Button>
            </div>
          )}
        </Card>
      )}
    </>
  );
}

type Entry = {
  id: number;
  at: Date;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  details: unknown;
};

function EntryRow({ entry }: { entry: Entry }) {
  const t = useTranslations("auditLog");
  const format = useFormatter();
  const details = JSON.stringify(entry.details, null, 2);
  const hasDetails = details !== "{}" && details !== "null";
  return (
    <tr data-testid="audit-log-row" className="align-top">
      <Td className="whitespace-nowrap tabular-nums">
        {format.dateTime(entry.at, { dateStyle: "medium", timeStyle: "medium" })}
      </Td>
      <Td>{entry.actorLabel}</Td>
      <Td className="font-mono text-xs">{entry.action}</Td>
      <Td>
        <span className="text-slate-500">{entry.targetType}</span>
        {entry.targetId && <span className="ml-1 font-mono text-xs break-all">{entry.targetId}</span>}
      </Td>
      <Td>
        {hasDetails ? (
          <details>
            <summary className="cursor-pointer text-brand-700">{t("showDetails", { id: entry.id })}</summary>
            <pre className="mt-2 max-w-xl overflow-x-auto rounded bg-slate-50 p-2 text-xs whitespace-pre-wrap break-all">
              {details}
            </pre>
          </details>
        ) : (
          <span className="text-slate-400">{t("noDetails", { id: entry.id })}</span>
        )}
      </Td>
    </tr>
  );
}

/** The latest stored verification of the chain; the ops worker verifies it hourly. */
function ChainStatus({ orgId }: { orgId: string }) {
  const t = useTranslations("auditLog");
  const ta = useTranslations("auditAnchors");
  const format = useFormatter();
  const trpc = useTRPC();
  const status = useQuery(trpc.auditLog.chainStatus.queryOptions({ orgId }));
  if (!status.isSuccess) return null;
  const check = status.data;
  const at = check ? format.dateTime(check.at, { dateStyle: "medium", timeStyle: "short" }) : "";
  return (
    <p className="mb-4 text-sm" data-testid="audit-log-chain">
      {!check ? (
        t("chainNeverChecked")
      ) : check.ok ? (
        <>
          <Badge tone="green">{t("chainIntact")}</Badge> {t("chainVerifiedAt", { at })}
        </>
      ) : (
        <>
          <Badge tone="red">{t("chainBroken")}</Badge>{" "}
          {t("chainBrokenAt", {
            id: check.brokenAtId ?? "—",
            reason: ta(`reasons.${check.reason ?? "unknown"}` as "reasons.unknown"),
            open: check.openBreaks,
            at,
          })}
        </>
      )}
    </p>
  );
}
