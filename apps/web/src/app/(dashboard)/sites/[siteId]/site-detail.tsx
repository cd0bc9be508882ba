"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { isNotFound, NotFoundCard } from "~/components/not-found-card";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, PageHeader } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CameraFormDialog } from "../../cameras/camera-form";
import { CamerasTable } from "../../cameras/cameras-table";
import { EntryPointsSection } from "./entry-points-section";
import { RecognitionFeed } from "./recognition-feed";
import { RecordsSection } from "./records-section";
import { RegionHistorySection } from "./region-history-section";
import { RetentionSection } from "./retention-section";
import { SignsSection } from "./signs-section";
import { SiteSetup } from "./site-setup";

export function SiteDetail({ siteId }: { siteId: string }) {
  const t = useTranslations("sites");
  const tcam = useTranslations("cameras");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const org = useActiveOrg();
  const [adding, setAdding] = useState(false);
  const site = useQuery(trpc.sites.byId.queryOptions({ orgId: org.orgId, siteId }));

  if (site.isError) {
    return isNotFound(site.error) ? (
      <NotFoundCard backHref="/sites" backLabel={t("title")} />
    ) : (
      <Alert>{tc("loadFailed", { message: site.error.message })}</Alert>
    );
  }
  if (!site.data) return <p className="text-sm text-slate-500">{tc("loading")}</p>;
  const s = site.data;
  const canAdd = roleAtLeast(org.role, "manager") && !s.archivedAt;

  return (
    <>
      <Link href="/sites" className="text-sm text-brand-700 hover:underline">
        ← {t("title")}
      </Link>
      <PageHeader
        title={s.name}
        subtitle={`${s.address} · ${t(`kinds.${s.kind}`)} · ${t("code")} ${s.code}`}
        actions={canAdd && <Button onClick={() => setAdding(true)}>{tcam("add")}</Button>}
      />
      {s.offlineCameraCount > 0 && (
        <div className="mb-4">
          <Alert>
            <Badge tone="red">{t("offline", { count: s.offlineCameraCount })}</Badge>
          </Alert>
        </div>
      )}
      <div className="space-y-6">
        <SiteSetup setup={s.setup} />
        <Card>
          <h2 id="cameras" className="scroll-mt-4 px-4 pt-4 text-sm font-semibold">
            {tcam("siteCameras")}
          </h2>
          <CamerasTable siteId={siteId} />
        </Card>
        <SignsSection siteId={siteId} />
        <EntryPointsSection siteId={siteId} />
        <RecordsSection siteId={siteId} />
        <RegionHistorySection site={s} />
        <RetentionSection siteId={siteId} />
        {roleAtLeast(org.role, "operator") && <RecognitionFeed siteId={siteId} />}
      </div>
      {adding && <CameraFormDialog defaultSiteId={siteId} onClose={() => setAdding(false)} />}
    </>
  );
}
