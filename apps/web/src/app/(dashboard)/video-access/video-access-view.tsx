"use client";

import { VIDEO_ACCESS_REASONS, type VideoAccessReason } from "@consentry/db/values";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Button, Card, EmptyState, Field, Input, PageHeader, Select } from "~/components/ui";
import { useCsvExport } from "~/components/use-csv-export";
import { shanghaiDayEnd, shanghaiDayStart } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";
import { RegisterTable } from "./register-table";

type Filters = { camera: string; viewer: string; reason: VideoAccessReason | ""; from: string; to: string };
const NO_FILTERS: Filters = { camera: "", viewer: "", reason: "", from: "", to: "" };

/** Date inputs name days in Shanghai, where the sites are: a range covers those whole days. */
function filterInput(filters: Filters) {
  return {
    camera: filters.camera || undefined,
    viewer: filters.viewer || undefined,
    reason: filters.reason || undefined,
    from: filters.from ? shanghaiDayStart(filters.from) : undefined,
    to: filters.to ? shanghaiDayEnd(filters.to) : undefined,
  };
}

/** The organisation's video-access register (auditor and every role above). */
export function VideoAccessView() {
  const t = useTranslations("videoAccess");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);

  const filter = { orgId: org.orgId, ...filterInput(applied) };
  const sessions = useInfiniteQuery({
    ...trpc.videoAccess.list.infiniteQueryOptions(filter, {
      getNextPageParam: (page) => page.nextCursor ?? undefined,
    }),
    // Open sessions end while the page is open.
    refetchInterval: 15_000,
  });

  function apply(event: FormEvent) {
    event.preventDefault();
    setApplied(draft);
    csvExport.clearNote();
  }

  const csvExport = useCsvExport(
    () => queryClient.fetchQuery({ ...trpc.videoAccess.exportCsv.queryOptions(filter), staleTime: 0 }),
    (file) => (file.capped ? t("exportCapped", { limit: file.limit }) : t("exported", { count: file.rows })),
  );

  const set = (key: keyof Filters) => (event: { target: { value: string } }) =>
    setDraft((current) => ({ ...current, [key]: event.target.value }));
  const rows = sessions.data?.pages.flatMap((page) => page.items) ?? [];
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
            data-testid="video-access-export"
          >
            {csvExport.exporting ? t("exporting") : t("export")}
          </Button>
        }
      />
      {csvExport.note && (
        <div className="mb-4">
          <Alert tone="blue">{csvExport.note}</Alert>
        </div>
      )}
      {csvExport.error && (
        <div className="mb-4">
          <Alert>{csvExport.error}</Alert>
        </div>
      )}
      <Card className="mb-4">
        <form onSubmit={apply} className="grid gap-3 p-4 sm:grid-cols-3 lg:grid-cols-5" aria-label={t("filters")}>
          <Field id="va-camera" label={t("camera")}>
            <Input
              id="va-camera"
              value={draft.camera}
              onChange={set("camera")}
              placeholder={t("cameraHint")}
              maxLength={200}
            />
          </Field>
          <Field id="va-viewer" label={t("viewer")}>
            <Input
              id="va-viewer"
              value={draft.viewer}
              onChange={set("viewer")}
              placeholder={t("viewerHint")}
              maxLength={200}
            />
          </Field>
          <Field id="va-reason" label={t("reason")}>
            <Select id="va-reason" value={draft.reason} onChange={set("reason")}>
              <option value="">{t("anyReason")}</option>
              {VIDEO_ACCESS_REASONS.map((reason) => (
                <option key={reason} value={reason}>
                  {t(`reasons.${reason}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="va-from" label={t("from")}>
            <Input id="va-from" type="date" value={draft.from} onChange={set("from")} />
          </Field>
          <Field id="va-to" label={t("to")}>
            <Input id="va-to" type="date" value={draft.to} onChange={set("to")} />
          </Field>
          <div className="flex gap-2 sm:col-span-3 lg:col-span-5">
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
      {sessions.isError ? (
        <Alert>{tc("loadFailed", { message: sessions.error.message })}</Alert>
      ) : (
        <Card>
          {sessions.data && rows.length === 0 ? (
            <EmptyState
              title={filtered ? t("noMatchTitle") : t("emptyTitle")}
              body={filtered ? t("noMatchBody") : t("emptyBody")}
            />
          ) : (
            <RegisterTable rows={rows} loading={!sessions.data} showCamera />
          )}
          {sessions.hasNextPage && (
            <div className="border-t border-slate-100 p-3 text-center">
              <Button
                variant="secondary"
                onClick={() => sessions.fetchNextPage()}
                disabled={sessions.isFetchingNextPage}
              >
                {sessions.isFetchingNextPage ? tc("loading") : t("loadOlder")}
              </Button>
            </div>
          )}
        </Card>
      )}
    </>
  );
}
