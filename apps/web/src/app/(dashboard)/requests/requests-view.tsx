"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { STAFF_REQUEST_STATUSES } from "@consentry/core/validators";
import { REQUEST_TYPES } from "@consentry/db/values";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useFormatter, useTranslations } from "next-intl";
import { useActiveOrg } from "~/components/org-context";
import { Pagination } from "~/components/pagination";
import { Alert, Card, EmptyState, Field, PageHeader, Select, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { DeadlineBadge } from "./deadline-badge";

const PAGE_SIZE = 25;

export function RequestsView() {
  const tc = useTranslations("common");
  const org = useActiveOrg();
  if (!roleAtLeast(org.role, "operator")) {
    return <EmptyState title={tc("noAccessTitle")} body={tc("noAccessBody")} />;
  }
  return <RequestsTable orgId={org.orgId} />;
}

const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  values.find((candidate) => candidate === value);

/** The list's filters and page live in the URL, so a filtered view can be shared and survives a reload. */
function useListState() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const state = {
    status: oneOf(STAFF_REQUEST_STATUSES, params.get("status")),
    type: oneOf(REQUEST_TYPES, params.get("type")),
    siteId: params.get("site") ?? undefined,
    overdue: params.get("overdue") === "1" || undefined,
    page: Math.max(1, Number(params.get("page")) || 1),
  };
  function set(changes: Record<string, string | undefined>) {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) {
      if (value) next.set(key, value);
      else next.delete(key);
    }
    if (!("page" in changes)) next.delete("page");
    router.replace(next.size ? `${pathname}?${next}` : pathname, { scroll: false });
  }
  return { state, set };
}

function RequestsTable({ orgId }: { orgId: string }) {
  const t = useTranslations("requests");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const { state, set } = useListState();
  const sites = useQuery(trpc.sites.list.queryOptions({ orgId, pageSize: 100 }));
  const requests = useQuery({
    ...trpc.requests.list.queryOptions({ orgId, pageSize: PAGE_SIZE, ...state }),
    placeholderData: keepPreviousData,
  });
  const filtered = Boolean(state.status || state.type || state.siteId || state.overdue);

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <Card>
        <div className="flex flex-wrap items-end gap-3 border-b border-slate-200 p-4" data-testid="request-filters">
          <Field id="request-status" label={t("status")}>
            <Select
              id="request-status"
              value={state.status ?? ""}
              onChange={(event) => set({ status: event.target.value })}
            >
              <option value="">{t("filters.any")}</option>
              {STAFF_REQUEST_STATUSES.map((status) => (
                <option key={status} value={status}>
                  {t(`statuses.${status}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="request-type" label={t("type")}>
            <Select id="request-type" value={state.type ?? ""} onChange={(event) => set({ type: event.target.value })}>
              <option value="">{t("filters.any")}</option>
              {REQUEST_TYPES.map((type) => (
                <option key={type} value={type}>
                  {t(`types.${type}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="request-site" label={t("site")}>
            <Select
              id="request-site"
              value={state.siteId ?? ""}
              onChange={(event) => set({ site: event.target.value })}
            >
              <option value="">{t("filters.anySite")}</option>
              {sites.data?.items.map((site) => (
                <option key={site.id} value={site.id}>
                  {site.name}
                </option>
              ))}
            </Select>
          </Field>
          <label className="flex items-center gap-2 pb-2 text-sm text-slate-700">
            <input
              type="checkbox"
              className="size-4"
              checked={Boolean(state.overdue)}
              onChange={(event) => set({ overdue: event.target.checked ? "1" : undefined })}
            />
            {t("filters.overdueOnly")}
          </label>
        </div>
        {requests.isError ? (
          <div className="p-4">
            <Alert>{tc("loadFailed", { message: requests.error.message })}</Alert>
          </div>
        ) : requests.data?.items.length === 0 ? (
          filtered ? (
            <EmptyState title={t("filters.noMatchTitle")} body={t("filters.noMatchBody")} />
          ) : (
            <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
          )
        ) : (
          <Table head={[t("reference"), t("type"), t("site"), t("person"), t("status"), t("submitted"), t("due")]}>
            {!requests.data ? (
              <SkeletonRows columns={7} />
            ) : (
              requests.data.items.map((request) => (
                <tr key={request.id} data-testid="request-row">
                  <Td className="font-mono text-xs">
                    <Link href={`/requests/${request.id}`} className="text-brand-700 hover:underline">
                      {request.referenceCode}
                    </Link>
                  </Td>
                  <Td>{t(`types.${request.type}`)}</Td>
                  <Td>{request.siteName}</Td>
                  <Td className="font-mono text-xs">{request.subjectPseudonym ?? "—"}</Td>
                  <Td>{t(`statuses.${request.status}`)}</Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {format.dateTime(request.submittedAt, { dateStyle: "medium" })}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {request.dueAt ? format.dateTime(request.dueAt, { dateStyle: "medium" }) : "—"}{" "}
                    <DeadlineBadge dueAt={request.dueAt} closedAt={request.closedAt} />
                  </Td>
                </tr>
              ))
            )}
          </Table>
        )}
        {requests.data && (
          <Pagination
            page={state.page}
            pageSize={PAGE_SIZE}
            total={requests.data.total}
            onPage={(page) => set({ page: page > 1 ? String(page) : undefined })}
          />
        )}
      </Card>
    </>
  );
}
