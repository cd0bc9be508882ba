"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useDeferredValue, useState } from "react";
import { Alert, Button, Field, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";
import { portalErrorKey } from "./portal-error";

const TYPES = ["deletion", "access", "withdrawal", "correction"] as const;

/** File a request in three steps: the site, the request and a contact, then the emailed code. */
export function PortalForm() {
  const t = useTranslations("portal");
  const format = useFormatter();
  const trpc = useTRPC();
  const [query, setQuery] = useState("");
  const [site, setSite] = useState<{ id: string; name: string } | null>(null);
  const [requestId, setRequestId] = useState<string | null>(null);
  const deferredQuery = useDeferredValue(query.trim());
  const sites = useQuery({
    ...trpc.portal.sites.queryOptions({ query: deferredQuery }),
    enabled: !site && deferredQuery.length >= 2,
  });
  const submit = useMutation(trpc.portal.submit.mutationOptions({ onSuccess: (data) => setRequestId(data.requestId) }));
  const verify = useMutation(trpc.portal.verify.mutationOptions());

  if (verify.data) {
    const statusUrl = `/portal/status/${verify.data.reference}?token=${verify.data.token}`;
    return (
      <section className="space-y-4 rounded-lg border border-slate-200 bg-white p-5">
        <h1 className="text-lg font-semibold">{t("verifiedTitle")}</h1>
        <p className="text-sm">
          {t("reference")}:{" "}
          <span className="font-mono font-semibold" data-testid="reference">
            {verify.data.reference}
          </span>
        </p>
        {verify.data.dueAt && (
          <p className="text-sm">{t("dueBy", { date: format.dateTime(verify.data.dueAt, { dateStyle: "long" }) })}</p>
        )}
        <p className="text-sm text-slate-600">{t("keepLink")}</p>
        <Link href={statusUrl} className="block font-medium text-brand-700 underline">
          {t("openStatus")}
        </Link>
      </section>
    );
  }

  if (requestId) {
    const onVerify = (event: FormEvent<HTMLFormElement>) => {
      event.preventDefault();
      verify.mutate({ requestId, code: String(new FormData(event.currentTarget).get("code") ?? "").trim() });
    };
    return (
      <form onSubmit={onVerify} className="space-y-4 rounded-lg border border-slate-200 bg-white p-5" noValidate>
        <h1 className="text-lg font-semibold">{t("checkMail")}</h1>
        <p className="text-sm text-slate-600">{t("codeSent")}</p>
        {verify.error && <Alert>{t(portalErrorKey(verify.error, "codeWrong"))}</Alert>}
        <Field id="code" label={t("code")}>
          <Input id="code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} autoFocus />
        </Field>
        <Button type="submit" disabled={verify.isPending} className="w-full">
          {t("verify")}
        </Button>
      </form>
    );
  }

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!site) return;
    const form = new FormData(event.currentTarget);
    const optional = (name: string) => String(form.get(name) ?? "").trim() || undefined;
    submit.mutate({
      siteId: site.id,
      type: form.get("type") as (typeof TYPES)[number],
      email: String(form.get("email") ?? "").trim(),
      phone: optional("phone"),
      reference: optional("reference"),
      details: optional("details"),
    });
  };

  return (
    <form onSubmit={onSubmit} className="space-y-5 rounded-lg border border-slate-200 bg-white p-5" noValidate>
      <div>
        <h1 className="text-lg font-semibold">{t("title")}</h1>
        <p className="text-sm text-slate-600">{t("intro")}</p>
      </div>
      {submit.error && <Alert>{t(portalErrorKey(submit.error, "checkFields"))}</Alert>}
      {site ? (
        <div className="flex items-center justify-between rounded-md bg-slate-100 px-3 py-2 text-sm">
          <span data-testid="chosen-site">{site.name}</span>
          <button type="button" className="text-brand-700 underline" onClick={() => setSite(null)}>
            {t("change")}
          </button>
        </div>
      ) : (
        <Field id="site" label={t("site")} hint={t("siteHint")}>
          <Input id="site" value={query} onChange={(event) => setQuery(event.target.value)} autoComplete="off" />
          <ul className="mt-1 divide-y divide-slate-100 rounded-md border border-slate-200 empty:hidden">
            {sites.data?.map((found) => (
              <li key={found.id}>
                <button
                  type="button"
                  className="w-full px-3 py-2 text-left text-sm hover:bg-slate-50"
                  onClick={() => setSite({ id: found.id, name: found.name })}
                >
                  <span className="font-medium">{found.name}</span>{" "}
                  <span className="text-xs text-slate-500">
                    {found.code} · {found.address}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          {sites.data?.length === 0 && <p className="text-xs text-slate-500">{t("noSite")}</p>}
        </Field>
      )}
      <fieldset>
        <legend className="text-sm font-medium text-slate-700">{t("type")}</legend>
        <div className="mt-1 space-y-1">
          {TYPES.map((type) => (
            <label key={type} className="flex items-center gap-2 text-sm">
              <input type="radio" name="type" value={type} defaultChecked={type === "deletion"} />
              {t(`types.${type}`)}
            </label>
          ))}
        </div>
      </fieldset>
      <Field id="email" label={t("email")}>
        <Input id="email" name="email" type="email" autoComplete="email" maxLength={200} />
      </Field>
      <Field id="phone" label={t("phone")}>
        <Input id="phone" name="phone" type="tel" autoComplete="tel" maxLength={40} />
      </Field>
      <Field id="reference" label={t("yourReference")} hint={t("yourReferenceHint")}>
        <Input id="reference" name="reference" maxLength={80} />
      </Field>
      <Field id="details" label={t("details")}>
        <textarea
          id="details"
          name="details"
          maxLength={2000}
          rows={3}
          className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
        />
      </Field>
      <p className="text-xs text-slate-500">{t("privacy")}</p>
      <Button type="submit" disabled={!site || submit.isPending} className="w-full">
        {t("send")}
      </Button>
    </form>
  );
}
