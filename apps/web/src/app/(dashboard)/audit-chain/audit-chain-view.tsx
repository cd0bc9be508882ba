"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { Alert, Badge, Button, Card, EmptyState, PageHeader, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { ReanchorDialog } from "./reanchor-dialog";

/**
 * Platform admins: the audit chain verified now, with every break (closed by a re-anchor or
 * open), and a way to close an open one. Closed breaks stay listed: a re-anchor explains a break,
 * it does not hide it.
 */
export function AuditChainView() {
  const t = useTranslations("auditChain");
  const tr = useTranslations("auditAnchors.reasons");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const verdict = useQuery(trpc.audit.verifyChain.queryOptions());
  const [closing, setClosing] = useState<{ id: number; reason: string } | null>(null);
  const data = verdict.data;

  return (
    <>
      <PageHeader
        title={t("title")}
        subtitle={t("subtitle")}
        actions={
          <Button variant="secondary" onClick={() => verdict.refetch()} disabled={verdict.isFetching}>
            {verdict.isFetching ? t("verifying") : t("verifyAgain")}
          </Button>
        }
      />
      {verdict.isError ? (
        <Alert>{tc("loadFailed", { message: verdict.error.message })}</Alert>
      ) : (
        <Card>
          <div className="flex flex-wrap items-center gap-2 px-4 pt-4 text-sm" data-testid="audit-chain-status">
            {!data ? null : data.ok ? (
              <Badge tone="green">{t("intact")}</Badge>
            ) : (
              <Badge tone="red">{t("broken", { count: data.openBreaks })}</Badge>
            )}
            {data && (
              <span className="text-slate-600">
                {t("summary", { checked: data.checked, breaks: data.breakCount, open: data.openBreaks })} ·{" "}
                {t("verifiedAt", {
                  at: format.dateTime(new Date(verdict.dataUpdatedAt), { dateStyle: "medium", timeStyle: "medium" }),
                })}
              </span>
            )}
          </div>
          {data && data.breakCount > data.breaks.length && (
            <p className="px-4 pt-1 text-xs text-slate-500">
              {t("truncated", { shown: data.breaks.length, total: data.breakCount })}
            </p>
          )}
          {data?.breaks.length === 0 ? (
            <EmptyState title={t("noBreaksTitle")} body={t("noBreaksBody")} />
          ) : (
            <Table head={[t("entry"), t("reason"), t("status"), ""]}>
              {!data ? (
                <SkeletonRows columns={4} rows={3} />
              ) : (
                data.breaks.map((item) => (
                  <tr
                    key={`${item.id}-${item.reason}-${item.anchorId ?? ""}-${item.reanchorId ?? ""}`}
                    data-testid="audit-chain-break"
                  >
                    <Td className="tabular-nums">#{item.id}</Td>
                    <Td>
                      {tr.has(item.reason) ? tr(item.reason) : tr("unknown")}
                      {item.anchorId !== undefined && (
                        <span className="text-slate-500"> · {t("anchorRef", { id: item.anchorId })}</span>
                      )}
                      {item.reanchorId !== undefined && (
                        <span className="text-slate-500"> · {t("reanchorRef", { id: item.reanchorId })}</span>
                      )}
                    </Td>
                    <Td>
                      {item.closedBy !== undefined ? (
                        <Badge tone="neutral">{t("closedBy", { id: item.closedBy })}</Badge>
                      ) : (
                        <Badge tone="red">{t("open")}</Badge>
                      )}
                    </Td>
                    <Td className="text-right">
                      {item.closedBy === undefined && (
                        <Button variant="ghost" onClick={() => setClosing({ id: item.id, reason: item.reason })}>
                          {t("close")}
                        </Button>
                      )}
                    </Td>
                  </tr>
                ))
              )}
            </Table>
          )}
        </Card>
      )}
      {closing && (
        <ReanchorDialog
          brokenAtId={closing.id}
          reasonText={tr.has(closing.reason) ? tr(closing.reason) : tr("unknown")}
          onClose={() => setClosing(null)}
        />
      )}
    </>
  );
}
