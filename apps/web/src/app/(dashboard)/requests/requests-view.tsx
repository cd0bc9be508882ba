"use client";

import type { RouterOutputs } from "@consentry/api";
import { roleAtLeast } from "@consentry/auth/roles";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useFormatter, useNow, useTranslations } from "next-intl";
import { useState } from "react";
import { useActiveOrg } from "~/components/org-context";
import { Pagination } from "~/components/pagination";
import { Alert, Badge, Button, Card, EmptyState, PageHeader, SkeletonRows, Table, Td } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { LinkPersonForm } from "./link-person";

const PAGE_SIZE = 25;
const DAY = 86_400_000;

export function RequestsView() {
  const t = useTranslations("requests");
  const tc = useTranslations("common");
  const org = useActiveOrg();
  if (!roleAtLeast(org.role, "operator")) {
    return <EmptyState title={tc("noAccessTitle")} body={tc("noAccessBody")} />;
  }
  return <RequestsTable orgId={org.orgId} role={org.role} title={t("title")} subtitle={t("subtitle")} />;
}

type Request = RouterOutputs["requests"]["list"]["items"][number];

function RequestsTable({
  orgId,
  role,
  title,
  subtitle,
}: {
  orgId: string;
  role: Parameters<typeof roleAtLeast>[0];
  title: string;
  subtitle: string;
}) {
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
          <Table
            head={[t("reference"), t("type"), t("site"), t("person"), t("status"), t("submitted"), t("due"), "", ""]}
          >
            {!requests.data ? (
              <SkeletonRows columns={9} />
            ) : (
              requests.data.items.map((request) => (
                <tr key={request.id} data-testid="request-row">
                  <Td className="font-mono text-xs">{request.referenceCode}</Td>
                  <Td>{t(`types.${request.type}`)}</Td>
                  <Td>{request.siteName}</Td>
                  <Td>
                    <span className="font-mono text-xs">{request.subjectPseudonym ?? "—"}</span>
                    {request.linkOverrideReason && (
                      <div className="text-xs text-amber-700" data-testid="link-overridden">
                        {t("link.overridden", { reason: request.linkOverrideReason })}
                      </div>
                    )}
                  </Td>
                  <Td>
                    {t(`statuses.${request.status}`)}
                    {request.refusalReason && <div className="text-xs text-slate-500">{request.refusalReason}</div>}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {format.dateTime(request.submittedAt, { dateStyle: "medium" })}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {request.dueAt ? format.dateTime(request.dueAt, { dateStyle: "medium" }) : "—"}
                  </Td>
                  <Td>{deadline(request.dueAt, request.closedAt)}</Td>
                  <Td className="whitespace-nowrap text-right">
                    <RequestActions orgId={orgId} role={role} request={request} />
                  </Td>
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

/** Operators take, link and look up a request; managers approve or refuse it (with a reason). */
function RequestActions({
  orgId,
  role,
  request,
}: {
  orgId: string;
  role: Parameters<typeof roleAtLeast>[0];
  request: Request;
}) {
  const t = useTranslations("requests");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [linking, setLinking] = useState(false);
  const done = { onSuccess: () => queryClient.invalidateQueries(trpc.requests.pathFilter()) };
  const assign = useMutation(trpc.requests.assignToMe.mutationOptions(done));
  const approve = useMutation(trpc.requests.approve.mutationOptions(done));
  const refuse = useMutation(trpc.requests.refuse.mutationOptions(done));
  const contact = useMutation(trpc.requests.contact.mutationOptions());
  const error = assign.error ?? approve.error ?? refuse.error ?? contact.error;
  if (request.closedAt || request.status === "approved") return null;
  const ids = { orgId, requestId: request.id };
  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex gap-1">
        {!request.assignedUserId && (
          <Button variant="ghost" onClick={() => assign.mutate(ids)}>
            {t("assignToMe")}
          </Button>
        )}
        <Button variant="ghost" aria-expanded={linking} onClick={() => setLinking(!linking)}>
          {t("linkPerson")}
        </Button>
        <Button variant="ghost" onClick={() => contact.mutate(ids)}>
          {t("showContact")}
        </Button>
        {roleAtLeast(role, "manager") && (
          <>
            <Button variant="secondary" disabled={approve.isPending} onClick={() => approve.mutate(ids)}>
              {t("approve")}
            </Button>
            <Button
              variant="danger"
              onClick={() => {
                const reason = window.prompt(t("refusePrompt"))?.trim();
                if (reason) refuse.mutate({ ...ids, reason });
              }}
            >
              {t("refuse")}
            </Button>
          </>
        )}
      </div>
      {linking && <LinkPersonForm orgId={orgId} requestId={request.id} onDone={() => setLinking(false)} />}
      {contact.data && <span className="text-xs text-slate-600">{contact.data.email}</span>}
      {error && <span className="text-xs text-red-600">{error.message}</span>}
    </div>
  );
}
