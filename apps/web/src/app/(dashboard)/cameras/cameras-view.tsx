"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { downloadText } from "~/components/download";
import { useActiveOrg } from "~/components/org-context";
import { Button, Card, EmptyState, PageHeader } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { CameraFormDialog } from "./camera-form";
import { CamerasTable } from "./cameras-table";

export function CamerasView() {
  const t = useTranslations("cameras");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const org = useActiveOrg();
  const canEdit = roleAtLeast(org.role, "manager");
  const [adding, setAdding] = useState(false);
  const [exporting, setExporting] = useState(false);

  async function exportCsv() {
    setExporting(true);
    try {
      const { filename, csv } = await queryClient.fetchQuery(trpc.cameras.exportCsv.queryOptions({ orgId: org.orgId }));
      downloadText(filename, csv, "text/csv;charset=utf-8");
    } finally {
      setExporting(false);
    }
  }

  const addButton = canEdit && <Button onClick={() => setAdding(true)}>{t("add")}</Button>;
  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={
          <div className="flex gap-2">
            <Button variant="secondary" onClick={exportCsv} disabled={exporting}>
              {t("export")}
            </Button>
            {canEdit && (
              <Link
                href="/cameras/import"
                className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
              >
                {t("import")}
              </Link>
            )}
            {addButton}
          </div>
        }
      />
      <Card>
        <CamerasTable empty={<EmptyState title={t("emptyTitle")} body={t("emptyFleetBody")} action={addButton} />} />
      </Card>
      {adding && <CameraFormDialog onClose={() => setAdding(false)} />}
    </>
  );
}
