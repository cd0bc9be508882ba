"use client";

import { useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { Alert, Button, Card, EmptyState } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { RegisterTable } from "../../video-access/register-table";

/** This camera's rows of the video-access register: who watched it live, when and why. */
export function VideoAccessPanel({ orgId, cameraId }: { orgId: string; cameraId: string }) {
  const t = useTranslations("videoAccess");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const sessions = useInfiniteQuery({
    ...trpc.videoAccess.list.infiniteQueryOptions(
      { orgId, cameraId, limit: 10 },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    // A session started or ended on this page shows up without a reload.
    refetchInterval: 5_000,
  });
  const rows = sessions.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card>
      <div className="flex items-baseline justify-between gap-3 px-4 pt-4">
        <div>
          <h2 className="text-sm font-semibold">{t("panelTitle")}</h2>
          <p className="text-xs text-slate-500">{t("panelSubtitle")}</p>
        </div>
        <Link href="/video-access" className="text-sm text-brand-700 hover:underline">
          {t("title")}
        </Link>
      </div>
      <div data-testid="camera-video-access">
        {sessions.isError ? (
          <div className="p-4">
            <Alert>{tc("loadFailed", { message: sessions.error.message })}</Alert>
          </div>
        ) : sessions.data && rows.length === 0 ? (
          <EmptyState title={t("emptyTitle")} body={t("emptyBody")} />
        ) : (
          <RegisterTable rows={rows} loading={!sessions.data} showCamera={false} />
        )}
      </div>
      {sessions.hasNextPage && (
        <div className="border-t border-slate-100 p-3 text-center">
          <Button variant="secondary" onClick={() => sessions.fetchNextPage()} disabled={sessions.isFetchingNextPage}>
            {sessions.isFetchingNextPage ? tc("loading") : t("loadOlder")}
          </Button>
        </div>
      )}
    </Card>
  );
}
