"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { Alert, Badge } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

const TONE = {
  pending_verification: "neutral",
  open: "blue",
  in_progress: "blue",
  approved: "blue",
  refused: "red",
  completed: "green",
} as const;

/** What the requester sees: status, deadline, a refusal's reason, and the deletion or withdrawal certificate. */
export function StatusView({ reference, token }: { reference: string; token: string }) {
  const t = useTranslations("portal");
  const format = useFormatter();
  const trpc = useTRPC();
  const status = useQuery({ ...trpc.portal.status.queryOptions({ reference, token }), refetchInterval: 10_000 });
  if (status.isError) return <Alert>{t("statusNotFound")}</Alert>;
  const request = status.data;
  if (!request) return <p className="text-sm text-slate-500">…</p>;
  const date = (value: Date | null) => (value ? format.dateTime(value, { dateStyle: "long" }) : "—");
  return (
    <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
      <h1 className="text-lg font-semibold">
        {t("statusTitle")} <span className="font-mono">{request.reference}</span>
      </h1>
      <p>
        <Badge tone={TONE[request.status]}>{t(`statuses.${request.status}`)}</Badge>
      </p>
      <dl className="grid grid-cols-2 gap-2 text-sm">
        <dt className="text-slate-500">{t("type")}</dt>
        <dd>{t(`types.${request.type}`)}</dd>
        <dt className="text-slate-500">{t("site")}</dt>
        <dd>{request.siteName}</dd>
        <dt className="text-slate-500">{t("submitted")}</dt>
        <dd>{date(request.submittedAt)}</dd>
        <dt className="text-slate-500">{t("due")}</dt>
        <dd data-testid="due">{date(request.dueAt)}</dd>
        <dt className="text-slate-500">{t("closed")}</dt>
        <dd>{date(request.closedAt)}</dd>
      </dl>
      {request.refusalReason && (
        <Alert tone="amber">
          {t("refusedBecause")} {request.refusalReason}
        </Alert>
      )}
      {request.type === "access" && request.status === "completed" && (
        <AccessAnswer reference={reference} token={token} />
      )}
      {request.certificateSha256 && (
        <CertificateLinks
          reference={request.reference}
          token={token}
          kind={request.type === "withdrawal" ? "withdrawal" : "deletion"}
          sha256={request.certificateSha256}
        />
      )}
    </section>
  );
}

/**
 * The certificate as PDF (to read) and JSON (the certified record), with its hash and exactly
 * what that hash covers: the JSON file's bytes, so `sha256sum` of the download prints it.
 */
function CertificateLinks({
  reference,
  token,
  kind,
  sha256,
}: {
  reference: string;
  token: string;
  kind: "deletion" | "withdrawal";
  sha256: string;
}) {
  const t = useTranslations("certificates");
  const portal = useTranslations("portal");
  const href = `/api/portal/certificate?reference=${encodeURIComponent(reference)}&token=${encodeURIComponent(token)}`;
  const jsonFile = `${kind}-certificate-${reference}.json`;
  return (
    <div className="space-y-2 text-sm" data-testid="certificate">
      <h2 className="font-semibold">{t(`${kind}Title`)}</h2>
      {kind === "withdrawal" && <p className="text-slate-600">{portal("withdrawalCertificateNote")}</p>}
      <ul className="space-y-1">
        <li>
          <a className="font-medium text-brand-700 underline" href={`${href}&format=pdf`} download>
            {t(`${kind}Pdf`)}
          </a>
        </li>
        <li>
          <a className="font-medium text-brand-700 underline" href={href} download>
            {t("json")}
          </a>
        </li>
      </ul>
      <p className="text-xs text-slate-500">{t("sha256Label", { file: jsonFile })}</p>
      <p className="break-all font-mono text-xs text-slate-700" data-testid="certificate-sha256">
        {sha256}
      </p>
      <p className="text-xs text-slate-600">{t("hashCovers")}</p>
      <p className="text-xs text-slate-600">
        {t("checkIt")} <code className="break-all font-mono">sha256sum {jsonFile}</code>
      </p>
    </div>
  );
}

/** The readable copy of what is held about the requester (never a face template itself). */
function AccessAnswer({ reference, token }: { reference: string; token: string }) {
  const t = useTranslations("portal");
  const format = useFormatter();
  const trpc = useTRPC();
  const data = useQuery(trpc.portal.export.queryOptions({ reference, token }));
  if (!data.data) return null;
  const { consents, templates, recognitions } = data.data;
  return (
    <div className="space-y-3 text-sm" data-testid="access-answer">
      <h2 className="font-semibold">{t("heldTitle")}</h2>
      <p>{t("heldSummary", { consents: consents.length, templates, recognitions: recognitions.length })}</p>
      <ul className="list-disc space-y-1 pl-5">
        {consents.map((consent) => (
          <li key={`${consent.site}-${consent.givenAt.toISOString()}`}>
            {consent.site}: {format.dateTime(consent.givenAt, { dateStyle: "medium" })}
            {consent.noticeVersion !== null && ` · ${t("noticeVersion", { version: consent.noticeVersion })}`}
            {consent.withdrawnAt &&
              ` · ${t("withdrawnOn", { date: format.dateTime(consent.withdrawnAt, { dateStyle: "medium" }) })}`}
          </li>
        ))}
      </ul>
      <a
        className="font-medium text-brand-700 underline"
        href={`/api/portal/export?reference=${reference}&token=${token}`}
        download
      >
        {t("downloadData")}
      </a>
    </div>
  );
}
