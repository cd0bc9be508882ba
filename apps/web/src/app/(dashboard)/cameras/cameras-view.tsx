"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Pagination } from "~/components/pagination";
import { Alert, Badge, Card, EmptyState, PageHeader, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

const PAGE_SIZE = 25;
const STATUS_TONE = {
  online: "green",
  degraded: "amber",
  offline: "red",
  auth_failed: "red",
  unreachable: "red",
  unknown: "neutral",
} as const;

export function CamerasView() {
  const t = useTranslations("cameras");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const [page, setPage] = useState(1);
  const cameras = useQuery({
    ...trpc.cameras.list.queryOptions({ orgId, page, pageSize: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  return (
    <>
      <PageHeader title={t("title")} subtitle={t("subtitle")} />
      <Card>
        {cameras.isError ? (
          <div className="p-4">
            <Alert>{tc("loadFailed", { message: cameras.error.message })}</Alert>
          </div>
        ) : cameras.data?.items.length === 0 ? (
          <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
        ) : (
          <Table head={[t("name"), t("site"), t("location"), t("fr"), t("status"), t("lastSeen"), t("url")]}>
            {!cameras.data ? (
              <SkeletonRows columns={7} />
            ) : (
              cameras.data.items.map((camera) => (
                <tr key={camera.id}>
                  <Td className="font-medium">{camera.name}</Td>
                  <Td>{camera.siteName}</Td>
                  <Td className="text-slate-600">{camera.locationType}</Td>
                  <Td>{camera.frEnabled ? <Badge tone="blue">{t("frOn")}</Badge> : <Badge>{t("frOff")}</Badge>}</Td>
                  <Td>
                    <Badge tone={STATUS_TONE[camera.status]}>{t(`statuses.${camera.status}`)}</Badge>
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {camera.lastSeenAt ? format.relativeTime(camera.lastSeenAt) : tc("never")}
                  </Td>
                  <Td className="font-mono text-xs text-slate-500">{camera.rtspUrlMasked}</Td>
                </tr>
              ))
            )}
          </Table>
        )}
        {cameras.data && <Pagination page={page} pageSize={PAGE_SIZE} total={cameras.data.total} onPage={setPage} />}
      </Card>
    </>
  );
}
