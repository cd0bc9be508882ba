"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Button, EmptyState, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { MoveRegionDialog } from "./move-region-dialog";
import { Section } from "./section";

/** The site's region now and every move before, newest first; owners move it from here. */
export function RegionHistorySection({
  site,
}: {
  site: { id: string; name: string; regionCode: string; archivedAt: Date | null };
}) {
  const t = useTranslations("regionHistory");
  const format = useFormatter();
  const trpc = useTRPC();
  const org = useActiveOrg();
  const [moving, setMoving] = useState(false);
  const history = useQuery(trpc.sites.regionHistory.queryOptions({ orgId: org.orgId, siteId: site.id }));
  const canMove = org.role === "owner" && !site.archivedAt;

  return (
    <Section
      title={t("title")}
      action={
        canMove && (
          <Button variant="secondary" onClick={() => setMoving(true)}>
            {t("move")}
          </Button>
        )
      }
    >
      <p className="px-4 pb-2 text-sm">
        {t("current", { region: site.regionCode })}
        {!canMove && org.role === "manager" && (
          <span className="ml-2 text-xs text-slate-500">{t("readOnlyManager")}</span>
        )}
      </p>
      {history.data?.length === 0 ? (
        <EmptyState title={t("empty")} />
      ) : (
        <Table head={[t("columns.when"), t("columns.from"), t("columns.to"), t("columns.by"), t("columns.reason")]}>
          {(history.data ?? []).map((change) => (
            <tr key={change.id} data-testid="region-change-row">
              <Td>{format.dateTime(change.changedAt, { dateStyle: "medium", timeStyle: "short" })}</Td>
              <Td className="font-mono text-xs">{change.fromRegion}</Td>
              <Td className="font-mono text-xs">{change.toRegion}</Td>
              <Td>{change.changedBy}</Td>
              <Td>{change.reason}</Td>
            </tr>
          ))}
        </Table>
      )}
      {moving && <MoveRegionDialog site={site} onClose={() => setMoving(false)} />}
    </Section>
  );
}
