"use client";

import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { LoadFailed } from "~/components/load-failed";
import { useActiveOrg } from "~/components/org-context";
import { Pagination } from "~/components/pagination";
import { Badge, Button, Card, EmptyState, PageHeader } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { useNotificationText } from "./notification-text";

/** The member's notifications in the active organisation: newest first, unread marked, each linking to its object. */
export function NotificationsView() {
  const t = useTranslations("notifications");
  const format = useFormatter();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const text = useNotificationText();
  const [page, setPage] = useState(1);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [status, setStatus] = useState<string | null>(null);
  const list = useQuery({
    ...trpc.notifications.list.queryOptions({ orgId: org.orgId, page, unreadOnly }),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
  const refresh = () => queryClient.invalidateQueries(trpc.notifications.pathFilter());
  const markRead = useMutation(trpc.notifications.markRead.mutationOptions({ onSuccess: refresh }));
  const markAll = useMutation(
    trpc.notifications.markAllRead.mutationOptions({
      onSuccess: async (result) => {
        setStatus(t("markedAll", { count: result.marked }));
        await refresh();
      },
    }),
  );
  const data = list.data;

  const show = (next: boolean) => {
    setUnreadOnly(next);
    setPage(1);
  };

  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle", { org: org.orgName })}
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <Link
              href="/notifications/preferences"
              prefetch={false}
              className="text-sm font-medium text-brand-700 hover:underline"
            >
              {t("preferencesLink")}
            </Link>
            <Button
              variant="secondary"
              disabled={!data || data.unread === 0 || markAll.isPending}
              onClick={() => markAll.mutate({ orgId: org.orgId })}
            >
              {t("markAllRead")}
            </Button>
          </div>
        }
      />
      <p aria-live="polite" className="mb-3 min-h-5 text-sm text-slate-600" data-testid="notifications-status">
        {status}
      </p>
      <fieldset className="mb-3 flex items-center gap-2 text-sm">
        <legend className="sr-only">{t("filterLabel")}</legend>
        {[false, true].map((value) => (
          <Button
            key={String(value)}
            variant={unreadOnly === value ? "primary" : "secondary"}
            aria-pressed={unreadOnly === value}
            onClick={() => show(value)}
          >
            {value ? t("filterUnread") : t("filterAll")}
          </Button>
        ))}
      </fieldset>
      <Card>
        {list.isError ? (
          <LoadFailed error={list.error} onRetry={() => list.refetch()} />
        ) : !data ? (
          <div className="space-y-3 p-4">
            {[0, 1, 2].map((row) => (
              <div key={row} className="h-10 animate-pulse rounded bg-slate-100" />
            ))}
          </div>
        ) : data.items.length === 0 ? (
          <div data-testid="notifications-empty">
            <EmptyState
              title={unreadOnly ? t("emptyUnreadTitle") : t("emptyTitle")}
              body={unreadOnly ? t("emptyUnreadBody") : t("emptyBody")}
            />
          </div>
        ) : (
          <>
            <ul className="divide-y divide-slate-100">
              {data.items.map((item) => {
                const unread = item.readAt === null;
                const resolvedAt = typeof item.params.resolvedAt === "string" ? item.params.resolvedAt : null;
                return (
                  <li
                    key={item.id}
                    data-testid="notification-item"
                    data-kind={item.kind}
                    data-unread={unread ? "true" : "false"}
                    className={`flex flex-wrap items-start justify-between gap-3 px-4 py-3 ${unread ? "bg-brand-50/40" : ""}`}
                  >
                    <div className="flex min-w-0 items-start gap-3">
                      <span
                        aria-hidden="true"
                        className={`mt-1.5 inline-block h-2 w-2 shrink-0 rounded-full ${unread ? "bg-brand-600" : "bg-transparent"}`}
                      />
                      <div className="min-w-0">
                        <p className="text-xs text-slate-500">
                          {t(`kinds.${item.kind}.name`)} ·{" "}
                          <time dateTime={new Date(item.createdAt).toISOString()}>
                            {format.dateTime(item.createdAt, { dateStyle: "medium", timeStyle: "short" })}
                          </time>
                          {unread && <span className="sr-only"> · {t("unread")}</span>}
                        </p>
                        <Link
                          href={item.href}
                          prefetch={false}
                          className={`mt-0.5 block text-sm hover:underline ${unread ? "font-semibold text-slate-900" : "text-slate-700"}`}
                          onClick={() => {
                            if (unread) markRead.mutate({ orgId: org.orgId, notificationId: item.id });
                          }}
                        >
                          {text(item.kind, item.params)}
                        </Link>
                        {resolvedAt && (
                          <p className="mt-1">
                            <Badge tone="green">
                              {t("resolved")}{" "}
                              {format.dateTime(new Date(resolvedAt), { dateStyle: "medium", timeStyle: "short" })}
                            </Badge>
                          </p>
                        )}
                      </div>
                    </div>
                    {unread && (
                      <Button
                        variant="ghost"
                        disabled={markRead.isPending}
                        onClick={() => markRead.mutate({ orgId: org.orgId, notificationId: item.id })}
                      >
                        {t("markRead")}
                      </Button>
                    )}
                  </li>
                );
              })}
            </ul>
            <Pagination page={data.page} pageSize={data.pageSize} total={data.total} onPage={setPage} />
          </>
        )}
      </Card>
    </>
  );
}
