"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useFormatter, useNow, useTranslations } from "next-intl";
import { useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Pagination } from "~/components/pagination";
import { Alert, Badge, Card, EmptyState, PageHeader, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

const PAGE_SIZE = 25;
const DAY = 86_400_000;

export function RequestsView() {
  const t = useTranslations("requests");
  const tc = useTranslations("common");
  const org = useActiveOrg();
  if (!roleAtLeast(org.role, "operator")) {
    return <EmptyState title={tc("noAccessTitle")} body={tc("noAccessBody")} />;
  }
  return <RequestsTable orgId={org.orgId} title={t("title")} subtitle={t("subtitle")} />;
}

function RequestsTable({ orgId, title, subtitle }: { orgId: string; title: string; subtitle: string }) {
  const t = useTranslations("requests");
  const tc = useTranslations("common");
  const format = useFormatter();
  const now = useNow({ updateInterval: 60_000 });
  const trpc = useTRPC();
  const [page, setPage] = useState(1);
  const requests = useQuery({
    ...trpc.requests.list.queryOptions({ orgId, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  function deadline(dueAt: Date | null, closedAt: Date | null) {
    if (closedAt) return <Badge>{t("closed")}</Badge>;
    if (!dueAt) return null;
    const days = Math.ceil((dueAt.getTime() - now.getTime()) / DAY);
    if (days < 0) return <Badge tone="red">{t("overdue", { days: -days })}</Badge>;
    return <Badge tone={days <= 3 ? "amber" : "green"}>{t("daysLeft", { days })}</Badge>;
  }

  return (
    <>
      <PageHeader title={title} subtitle={subtitle} />
      <Card>
        {requests.isError ? (
          <div className="p-4">
            <Alert>{tc("loadFailed", { message: requests.error.message })}</Alert>
          </div>
        ) : requests.data?.items.length === 0 ? (
          <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
        ) : (
          <Table head={[t("reference"), t("type"), t("site"), t("status"), t("submitted"), t("due"), ""]}>
            {!requests.data ? (
              <SkeletonRows columns={7} />
            ) : (
              requests.data.items.map((request) => (
                <tr key={request.id}>
                  <Td className="font-mono text-xs">{request.referenceCode}</Td>
                  <Td>{t(`types.${request.type}`)}</Td>
                  <Td>{request.siteName}</Td>
                  <Td>{t(`statuses.${request.status}`)}</Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {format.dateTime(request.submittedAt, { dateStyle: "medium" })}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {request.dueAt ? format.dateTime(request.dueAt, { dateStyle: "medium" }) : "—"}
                  </Td>
                  <Td>{deadline(request.dueAt, request.closedAt)}</Td>
                </tr>
              ))
            )}
          </Table>
        )}
        {requests.data && <Pagination page={page} pageSize={PAGE_SIZE} total={requests.data.total} onPage={setPage} />}
      </Card>
    </>
  );
}
