"use client";

import type { RouterOutputs } from "@consentry/api";
import { roleAtLeast } from "@consentry/auth/roles";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { useState } from "react";
import { isNotFound, NotFoundCard } from "~/components/not-found-card";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Badge, Button, Card, EmptyState, PageHeader } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { DeadlineBadge } from "../deadline-badge";
import { LinkPersonForm } from "../link-person";
import { ApproveDialog, RefuseDialog } from "./decision-dialogs";

type Request = RouterOutputs["requests"]["get"];

export function RequestDetail({ requestId }: { requestId: string }) {
  const t = useTranslations("requests");
  const tc = useTranslations("common");
  const trpc = useTRPC();
  const org = useActiveOrg();
  const request = useQuery({
    ...trpc.requests.get.queryOptions({ orgId: org.orgId, requestId }),
    enabled: roleAtLeast(org.role, "operator"),
    // An approved deletion finishes in the ops worker: follow it until the certificate is issued.
    refetchInterval: (query) => (query.state.data?.status === "approved" ? 5_000 : false),
  });
  const back = (
    <Link href="/requests" className="text-sm text-brand-700 hover:underline">
      ← {t("title")}
    </Link>
  );

  if (!roleAtLeast(org.role, "operator")) return <EmptyState title={tc("noAccessTitle")} body={tc("noAccessBody")} />;
  if (request.isError) {
    return isNotFound(request.error) ? (
      <NotFoundCard backHref="/requests" backLabel={t("title")} />
    ) : (
      <Alert>{tc("loadFailed", { message: request.error.message })}</Alert>
    );
  }
  if (!request.data) return <p className="text-sm text-slate-500">{tc("loading")}</p>;
  const r = request.data;
  const open = !r.closedAt && r.status !== "approved";

  return (
    <>
      {back}
      <PageHeader
        title={r.referenceCode}
        subtitle={`${t(`types.${r.type}`)} · ${r.siteName}`}
        actions={
          <div className="flex items-center gap-2">
            <Badge tone={r.status === "refused" ? "red" : r.closedAt ? "green" : "amber"}>
              {t(`statuses.${r.status}`)}
            </Badge>
            <DeadlineBadge dueAt={r.dueAt} closedAt={r.closedAt} />
          </div>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Facts request={r} />
          <Requester orgId={org.orgId} request={r} />
          <Person orgId={org.orgId} request={r} open={open} />
          {open && <Decision orgId={org.orgId} request={r} canDecide={roleAtLeast(org.role, "manager")} />}
        </div>
        <History request={r} />
      </div>
    </>
  );
}

function Section({ title, children, testId }: { title: string; children: React.ReactNode; testId?: string }) {
  return (
    <Card>
      <div className="space-y-3 p-4" data-testid={testId}>
        <h2 className="text-sm font-semibold">{title}</h2>
        {children}
      </div>
    </Card>
  );
}

function Facts({ request }: { request: Request }) {
  const t = useTranslations("requests");
  const format = useFormatter();
  const when = (date: Date | null) => (date ? format.dateTime(date, { dateStyle: "medium", timeStyle: "short" }) : "—");
  const rows: [string, React.ReactNode][] = [
    [t("submitted"), when(request.submittedAt)],
    [t("detail.verified"), when(request.verifiedAt)],
    [t("due"), when(request.dueAt)],
    [t("detail.closedAt"), when(request.closedAt)],
    [t("detail.assigned"), request.assignedUserId ? t("detail.assignedYes") : t("detail.assignedNo")],
  ];
  if (request.refusalReason) rows.push([t("detail.refusalReason"), request.refusalReason]);
  if (request.certificateSha256) {
    rows.push([
      t("detail.certificate"),
      <code key="sha" className="break-all text-xs">
        {request.certificateSha256}
      </code>,
    ]);
  }
  return (
    <Section title={t("detail.facts")}>
      <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-slate-500">{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </Section>
  );
}

/** The requester's contact, message and own reference stay encrypted until staff ask; each look is audited. */
function Requester({ orgId, request }: { orgId: string; request: Request }) {
  const t = useTranslations("requests.detail");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const contact = useMutation(
    trpc.requests.contact.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.requests.get.pathFilter()),
    }),
  );
  return (
    <Section title={t("requester")} testId="requester">
      {request.contactRemoved ? (
        <p className="text-sm text-slate-600">{t("contactRemoved")}</p>
      ) : contact.data ? (
        <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
          <dt className="text-slate-500">{t("email")}</dt>
          <dd>{contact.data.email}</dd>
          <dt className="text-slate-500">{t("phone")}</dt>
          <dd>{contact.data.phone ?? "—"}</dd>
          <dt className="text-slate-500">{t("theirReference")}</dt>
          <dd>{contact.data.reference ?? "—"}</dd>
          <dt className="text-slate-500">{t("message")}</dt>
          <dd className="whitespace-pre-wrap">{contact.data.details ?? "—"}</dd>
        </dl>
      ) : (
        <div className="flex items-center gap-3">
          <Button
            variant="secondary"
            disabled={contact.isPending}
            onClick={() => contact.mutate({ orgId, requestId: request.id })}
          >
            {t("reveal")}
          </Button>
          <span className="text-xs text-slate-500">{t("revealHint")}</span>
        </div>
      )}
      {contact.error && <Alert>{contact.error.message}</Alert>}
    </Section>
  );
}

function Person({ orgId, request, open }: { orgId: string; request: Request; open: boolean }) {
  const t = useTranslations("requests");
  const [linking, setLinking] = useState(false);
  return (
    <Section title={t("person")} testId="request-person">
      {request.subjectId ? (
        <div className="space-y-1 text-sm">
          <Link href={`/people/${request.subjectId}`} className="font-mono text-brand-700 hover:underline">
            {request.subjectPseudonym}
          </Link>
          {request.linkOverrideReason && (
            <p className="text-xs text-amber-700" data-testid="link-overridden">
              {t("link.overridden", { reason: request.linkOverrideReason })}
            </p>
          )}
          {request.type === "correction" && open && (
            <p className="text-slate-600">
              {t("detail.correctionHint")}{" "}
              <Link
                href={`/people/${request.subjectId}?correction=${request.id}`}
                className="text-brand-700 hover:underline"
              >
                {t("detail.correctRecord")}
              </Link>
            </p>
          )}
        </div>
      ) : (
        <p className="text-sm text-slate-600">{t("detail.notLinked")}</p>
      )}
      {open &&
        (linking ? (
          <LinkPersonForm orgId={orgId} requestId={request.id} onDone={() => setLinking(false)} />
        ) : (
          <Button variant="secondary" onClick={() => setLinking(true)}>
            {request.subjectId ? t("detail.relink") : t("linkPerson")}
          </Button>
        ))}
    </Section>
  );
}

function Decision({ orgId, request, canDecide }: { orgId: string; request: Request; canDecide: boolean }) {
  const t = useTranslations("requests");
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<"approve" | "refuse" | null>(null);
  const assign = useMutation(
    trpc.requests.assignToMe.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries(trpc.requests.pathFilter()),
    }),
  );
  const ids = { orgId, requestId: request.id };
  return (
    <Section title={t("detail.decision")}>
      <div className="flex flex-wrap gap-2">
        {!request.assignedUserId && (
          <Button variant="secondary" disabled={assign.isPending} onClick={() => assign.mutate(ids)}>
            {t("assignToMe")}
          </Button>
        )}
        {canDecide ? (
          <>
            <Button onClick={() => setDialog("approve")}>{t("approve")}</Button>
            <Button variant="danger" onClick={() => setDialog("refuse")}>
              {t("refuse")}
            </Button>
          </>
        ) : (
          <p className="text-sm text-slate-600">{t("detail.managersDecide")}</p>
        )}
      </div>
      {assign.error && <Alert>{assign.error.message}</Alert>}
      {dialog === "approve" && <ApproveDialog ids={ids} request={request} onClose={() => setDialog(null)} />}
      {dialog === "refuse" && <RefuseDialog ids={ids} onClose={() => setDialog(null)} />}
    </Section>
  );
}

/** The message key of an audit action ("request.approve" → "request_approve"). */
const eventKey = (kind: string) => kind.replaceAll(".", "_");

function History({ request }: { request: Request }) {
  const t = useTranslations("requests.detail");
  const format = useFormatter();
  return (
    <Section title={t("history")} testId="request-history">
      <ol className="space-y-3 border-l border-slate-200 pl-4 text-sm">
        {request.history.map((event) => (
          <li key={`${event.kind}-${event.at.getTime()}`} data-testid="history-event">
            <div className="font-medium">
              {/* An action without a text of its own (a new one) shows as the log names it. */}
              {t.has(`events.${eventKey(event.kind)}`)
                ? t(`events.${eventKey(event.kind)}` as "events.submitted")
                : event.kind}
            </div>
            <div className="text-xs text-slate-500">
              {format.dateTime(event.at, { dateStyle: "medium", timeStyle: "short" })}
              {event.actor && ` · ${event.actor}`}
            </div>
            <EventDetails details={event.details} />
          </li>
        ))}
      </ol>
    </Section>
  );
}

/** What an entry's details say that staff need: a reason, the person linked, and counts of what was erased (not the zeros). */
function EventDetails({ details }: { details: Record<string, unknown> }) {
  const t = useTranslations("requests.detail");
  const reason = details.reason ?? details.overrideReason;
  const counts = { ...details, ...(typeof details.items === "object" ? (details.items as object) : {}) };
  const counted = Object.entries(counts).filter(
    (entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] > 0 && t.has(`counts.${entry[0]}`),
  );
  return (
    <>
      {typeof details.pseudonym === "string" && (
        <div className="font-mono text-xs text-slate-600">{details.pseudonym}</div>
      )}
      {typeof reason === "string" && <div className="text-xs text-slate-600">{reason}</div>}
      {typeof details.mail === "string" && (
        <div className="text-xs text-slate-600">{t(`mails.${details.mail}` as "mails.received")}</div>
      )}
      {Array.isArray(details.fields) && (
        <div className="text-xs text-slate-600">
          {details.fields.map((field) => t(`fields.${field}` as "fields.contact")).join(", ")}
        </div>
      )}
      {counted.length > 0 && (
        <ul className="text-xs text-slate-600">
          {counted.map(([key, value]) => (
            <li key={key}>{t(`counts.${key}` as "counts.templates", { count: value })}</li>
          ))}
        </ul>
      )}
    </>
  );
}
