"use client";

import { CAMERA_STATUSES } from "@consentry/core/validators";
import type { LeaseState } from "@consentry/queue";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useDeferredValue, useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, EmptyState, Input, Select, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CursorPagination, useCursorPages } from "./cursor-pages";

const PAGE_SIZE = 25;
export const STATUS_TONE = {
  online: "green",
  degraded: "amber",
  offline: "red",
  auth_failed: "red",
  unreachable: "red",
  unknown: "neutral",
} as const;
const ALERTING = new Set(["offline", "auth_failed", "unreachable"]);

const INFERENCE_TONE = { analysed: "green", waiting: "amber", retrying: "red" } as const;

/**
 * What the inference workers do with a camera that has face recognition on: analysed, waiting
 * for a free worker slot (with how many cameras wait in all), or retrying a failing stream.
 * `explained` adds a line saying what that means.
 */
export function InferenceBadge({
  state,
  waiting,
  explained = false,
}: {
  state: LeaseState;
  waiting: number | null;
  explained?: boolean;
}) {
  const t = useTranslations("cameras");
  const text = {
    analysed: t("inferenceAnalysed"),
    waiting: t("inferenceWaiting", { count: waiting ?? 1 }),
    retrying: t("inferenceRetrying"),
  }[state];
  const hint = {
    analysed: t("inferenceAnalysedHint"),
    waiting: t("inferenceWaitingHint"),
    retrying: t("inferenceRetryingHint"),
  }[state];
  return (
    <>
      <span data-testid="camera-inference" data-state={state} title={explained ? undefined : hint}>
        <Badge tone={INFERENCE_TONE[state]}>{text}</Badge>
      </span>
      {explained && <span className="mt-1 block text-xs text-slate-500">{hint}</span>}
    </>
  );
}

type Sort = "name" | "site" | "status" | "lastSeen";
type Status = (typeof CAMERA_STATUSES)[number];

/**
 * The fleet table: server-side filters, search and sort, one page at a time by cursor (Previous
 * and Next, never a page number the server would have to count up to). `siteId` pins it to one site.
 */
export function CamerasTable({ siteId, empty }: { siteId?: string; empty?: React.ReactNode }) {
  const t = useTranslations("cameras");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const [search, setSearch] = useState("");
  const deferredSearch = useDeferredValue(search.trim());
  const [siteFilter, setSiteFilter] = useState("");
  const [status, setStatus] = useState<Status | "">("");
  const [fr, setFr] = useState<"" | "on" | "off">("");
  const [sort, setSort] = useState<{ by: Sort; direction: "asc" | "desc" }>({ by: "name", direction: "asc" });
  const pages = useCursorPages();
  const resetPage =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      pages.reset();
    };

  const placements = useQuery({ ...trpc.cameras.placements.queryOptions({ orgId }), enabled: !siteId });
  const filter = {
    orgId,
    pageSize: PAGE_SIZE,
    search: deferredSearch || undefined,
    siteId: siteId ?? (siteFilter || undefined),
    status: status || undefined,
    frEnabled: fr === "" ? undefined : fr === "on",
    sort: sort.by,
    direction: sort.direction,
  };
  const cameras = useQuery({
    ...trpc.cameras.list.queryOptions({ ...filter, cursor: pages.cursor }),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  // Only the first page counts the matches; later pages show the count it found (from the cache).
  const firstPage = useQuery({ ...trpc.cameras.list.queryOptions(filter), enabled: false });
  const total = (pages.cursor === undefined ? cameras.data : firstPage.data)?.total;
  const filtered = Boolean(deferredSearch || siteFilter || status || fr);

  function header(label: string, by: Sort) {
    const active = sort.by === by;
    return (
      <button
        type="button"
        className="inline-flex items-center gap-1 font-medium hover:text-slate-900"
        aria-pressed={active}
        onClick={() => {
          setSort({ by, direction: active && sort.direction === "asc" ? "desc" : "asc" });
          pages.reset();
        }}
      >
        {label}
        <span aria-hidden="true" className="text-xs text-slate-400">
          {active ? (sort.direction === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    );
  }

  return (
    <>
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-100 px-4 py-3">
        <Input
          type="search"
          aria-label={t("searchPlaceholder")}
          placeholder={t("searchPlaceholder")}
          value={search}
          maxLength={120}
          className="max-w-60"
          onChange={(event) => resetPage(setSearch)(event.target.value)}
        />
        {!siteId && (
          <Select
            aria-label={t("site")}
            className="w-auto"
            value={siteFilter}
            onChange={(e) => resetPage(setSiteFilter)(e.target.value)}
          >
            <option value="">{t("allSites")}</option>
            {placements.data?.map((site) => (
              <option key={site.id} value={site.id}>
                {site.name}
              </option>
            ))}
          </Select>
        )}
        <Select
          aria-label={t("status")}
          className="w-auto"
          value={status}
          onChange={(e) => resetPage(setStatus)(e.target.value as Status | "")}
        >
          <option value="">{t("allStatuses")}</option>
          {CAMERA_STATUSES.map((value) => (
            <option key={value} value={value}>
              {t(`statuses.${value}`)}
            </option>
          ))}
        </Select>
        <Select
          aria-label={t("fr")}
          className="w-auto"
          value={fr}
          onChange={(e) => resetPage(setFr)(e.target.value as "" | "on" | "off")}
        >
          <option value="">{t("frAll")}</option>
          <option value="on">{t("frOnly")}</option>
          <option value="off">{t("frNone")}</option>
        </Select>
        {total && (
          <span className="ml-auto text-sm text-slate-500" data-testid="cameras-total">
            {total.capped ? t("totalAtLeast", { count: total.count }) : t("total", { count: total.count })}
          </span>
        )}
      </div>
      {cameras.isError ? (
        <div className="p-4">
          <Alert>{tc("loadFailed", { message: cameras.error.message })}</Alert>
        </div>
      ) : cameras.data?.items.length === 0 ? (
        filtered ? (
          <EmptyState title={t("noResults")} />
        ) : (
          (empty ?? <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />)
        )
      ) : (
        <Table
          head={[
            header(t("name"), "name"),
            header(t("site"), "site"),
            t("location"),
            t("fr"),
            header(t("status"), "status"),
            header(t("lastSeen"), "lastSeen"),
          ]}
        >
          {!cameras.data ? (
            <SkeletonRows columns={6} />
          ) : (
            cameras.data.items.map((camera) => (
              <tr
                key={camera.id}
                data-testid="camera-row"
                className={ALERTING.has(camera.status) ? "bg-red-50/60" : undefined}
              >
                <Td>
                  <Link href={`/cameras/${camera.id}`} className="font-medium text-brand-700 hover:underline">
                    {camera.name}
                  </Link>
                  <div className="font-mono text-xs text-slate-500">{camera.rtspUrlMasked}</div>
                </Td>
                <Td>{camera.siteName}</Td>
                <Td className="text-slate-600">{t(`locations.${camera.locationType}`)}</Td>
                <Td>
                  {camera.frEnabled ? <Badge tone="blue">{t("frOn")}</Badge> : <Badge>{t("frOff")}</Badge>}
                  {camera.inference && (
                    <div className="mt-1">
                      <InferenceBadge state={camera.inference} waiting={cameras.data.waitingForWorker} />
                    </div>
                  )}
                </Td>
                <Td>
                  {camera.disabledAt ? (
                    <Badge>{t("disabled")}</Badge>
                  ) : (
                    <Badge tone={STATUS_TONE[camera.status]}>{t(`statuses.${camera.status}`)}</Badge>
                  )}
                </Td>
                <Td className="whitespace-nowrap text-slate-600">
                  {camera.lastSeenAt ? format.relativeTime(camera.lastSeenAt) : tc("never")}
                </Td>
              </tr>
            ))
          )}
        </Table>
      )}
      {cameras.data && (
        <CursorPagination
          pages={pages}
          // While the next page loads the previous one stays shown: its cursor is not the next one's.
          nextCursor={cameras.isPlaceholderData ? null : cameras.data.nextCursor}
        />
      )}
    </>
  );
}
