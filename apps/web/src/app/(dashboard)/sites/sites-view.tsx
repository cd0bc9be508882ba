"use client";

import type { RouterOutputs } from "@consentry/api";
import { roleAtLeast } from "@consentry/auth/roles";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useDeferredValue, useState } from "react";
import { LoadFailed } from "~/components/load-failed";
import { useActiveOrg } from "~/components/org-context";
import { Pagination } from "~/components/pagination";
import {
  Alert,
  Badge,
  Button,
  Card,
  EmptyState,
  Input,
  PageHeader,
  Select,
  SkeletonRows,
  Table,
  Td,
} from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { SiteFormDialog } from "./site-form";

type Site = RouterOutputs["sites"]["list"]["items"][number];
type StatusFilter = "active" | "archived" | "all";
const PAGE_SIZE = 20;

export function SitesView() {
  const t = useTranslations("sites");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const canEdit = roleAtLeast(org.role, "manager");

  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  const [status, setStatus] = useState<StatusFilter>("active");
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<Site | "new" | null>(null);

  const sites = useQuery({
    ...trpc.sites.list.queryOptions({
      orgId: org.orgId,
      search: deferredSearch || undefined,
      status,
      page,
      pageSize: PAGE_SIZE,
    }),
    placeholderData: keepPreviousData,
  });
  const invalidate = () => queryClient.invalidateQueries(trpc.sites.pathFilter());
  const archive = useMutation(trpc.sites.archive.mutationOptions({ onSuccess: invalidate }));
  const restore = useMutation(trpc.sites.restore.mutationOptions({ onSuccess: invalidate }));
  const actionError = archive.error ?? restore.error;

  const newButton = canEdit && <Button onClick={() => setEditing("new")}>{t("new")}</Button>;

  function emptyState() {
    if (deferredSearch) return <EmptyState title={t("noResults", { search: deferredSearch })} />;
    if (status === "archived") return <EmptyState title={t("noArchived")} />;
    return (
      <EmptyState title={t("emptyTitle")} body={canEdit ? t("emptyBody") : t("emptyReadOnly")} action={newButton} />
    );
  }

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} actions={newButton} />
      <Card>
        <div className="flex flex-wrap items-center gap-3 border-b border-slate-100 px-4 py-3">
          <Input
            type="search"
            aria-label={t("searchPlaceholder")}
            placeholder={t("searchPlaceholder")}
            value={search}
            maxLength={120}
            className="max-w-xs"
            onChange={(event) => {
              setSearch(event.target.value);
              setPage(1);
            }}
          />
          <label htmlFor="site-status" className="flex items-center gap-2 text-sm whitespace-nowrap text-slate-600">
            {t("show")}
            <Select
              id="site-status"
              value={status}
              className="w-auto"
              onChange={(event) => {
                setStatus(event.target.value as StatusFilter);
                setPage(1);
              }}
            >
              {(["active", "archived", "all"] as const).map((value) => (
                <option key={value} value={value}>
                  {t(`status.${value}`)}
                </option>
              ))}
            </Select>
          </label>
          {sites.data && (
            <span className="ml-auto text-sm text-slate-500">{t("total", { count: sites.data.total })}</span>
          )}
        </div>
        {actionError && (
          <div className="px-4 pt-3">
            <Alert>{actionError.message}</Alert>
          </div>
        )}
        {sites.isError ? (
          <LoadFailed error={sites.error} onRetry={sites.refetch} />
        ) : sites.data?.items.length === 0 ? (
          emptyState()
        ) : (
          <Table head={[t("name"), t("code"), t("kind"), t("regionCode"), t("cameras"), t("created"), ""]}>
            {!sites.data ? (
              <SkeletonRows columns={7} />
            ) : (
              sites.data.items.map((site) => (
                <tr key={site.id} data-testid="site-row">
                  <Td>
                    <Link href={`/sites/${site.id}`} className="font-medium text-brand-700 hover:underline">
                      {site.name}
                    </Link>
                    <div className="text-xs text-slate-500">{site.address}</div>
                    {site.archivedAt && <Badge>{t("archivedBadge")}</Badge>}
                  </Td>
                  <Td className="font-mono text-xs">{site.code}</Td>
                  <Td>{t(`kinds.${site.kind}`)}</Td>
                  <Td className="font-mono text-xs">{site.regionCode}</Td>
                  <Td>
                    {site.cameraCount}{" "}
                    {site.offlineCameraCount > 0 && (
                      <Badge tone="red">{t("offline", { count: site.offlineCameraCount })}</Badge>
                    )}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {format.dateTime(site.createdAt, { dateStyle: "medium" })}
                  </Td>
                  <Td className="whitespace-nowrap text-right">
                    {canEdit && !site.archivedAt && (
                      <>
                        <Button variant="ghost" onClick={() => setEditing(site)}>
                          {tc("edit")}
                        </Button>
                        <Button
                          variant="ghost"
                          onClick={() => {
                            if (window.confirm(t("confirmArchive", { name: site.name }))) {
                              archive.mutate({ orgId: org.orgId, siteId: site.id });
                            }
                          }}
                        >
                          {tc("archive")}
                        </Button>
                      </>
                    )}
                    {canEdit && site.archivedAt && (
                      <Button variant="ghost" onClick={() => restore.mutate({ orgId: org.orgId, siteId: site.id })}>
                        {tc("restore")}
                      </Button>
                    )}
                  </Td>
                </tr>
              ))
            )}
          </Table>
        )}
        {sites.data && <Pagination page={page} pageSize={PAGE_SIZE} total={sites.data.total} onPage={setPage} />}
      </Card>
      {editing && <SiteFormDialog site={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />}
    </>
  );
}
