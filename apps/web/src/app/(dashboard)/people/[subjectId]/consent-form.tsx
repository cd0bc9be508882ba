"use client";

import type { RouterOutputs } from "@consentry/api";
import { CONSENT_METHODS, CONSENT_SCOPES, consentFields, ENTRY_PURPOSES } from "@consentry/core/validators";
import { useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Field, Input, Select } from "~/components/ui";
import { dateInputValue } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";

type Consent = RouterOutputs["subjects"]["consents"][number];
type Scope = (typeof CONSENT_SCOPES)[number];

type Notice = RouterOutputs["notices"]["list"][number];

/** A site's notice versions, newest first. */
function useSiteNotices(siteId: string | null) {
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  return useQuery({ ...trpc.notices.list.queryOptions({ orgId, siteId: siteId ?? "" }), enabled: siteId !== null });
}

/**
 * The notice versions of a site as a select, the newest first and chosen (CN-FR-03): the consent
 * records the version the person was shown. A site without a notice says where to publish one.
 */
function NoticeField({ siteId, notices, error }: { siteId: string | null; notices?: Notice[]; error?: string }) {
  const t = useTranslations("people");
  const tr = useTranslations("registry");
  if (notices?.length === 0) {
    return (
      <Alert tone="amber">
        {t("noNoticeAtSite")}{" "}
        <Link href={`/sites/${siteId}#notices`} className="font-medium underline">
          {t("publishNoticeLink")}
        </Link>
      </Alert>
    );
  }
  return (
    <Field id="noticeId" label={t("noticeShown")} hint={t("noticeShownHint")} error={error}>
      {/* Keyed by site: another site's notices replace the options and the default. */}
      <Select key={siteId} id="noticeId" name="noticeId" disabled={!notices}>
        {notices?.map((notice) => (
          <option key={notice.id} value={notice.id}>
            {tr("version", { version: notice.version })}
          </option>
        ))}
      </Select>
    </Field>
  );
}

/** Records a person's consent for one site and purpose; a child's needs a guardian (CN-FR-05). */
export function ConsentForm({ subjectId, onClose }: { subjectId: string; onClose: () => void }) {
  const t = useTranslations("people");
  const tr = useTranslations("registry");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const placements = useQuery(trpc.cameras.placements.queryOptions({ orgId }));
  const give = useMutation(trpc.subjects.giveConsent.mutationOptions(mutationCallbacks));
  const [chosenSite, setChosenSite] = useState<string | null>(null);
  const [scopes, setScopes] = useState<ReadonlySet<Scope>>(new Set(["recognition"]));
  const siteId = chosenSite ?? placements.data?.[0]?.id ?? null;
  const notices = useSiteNotices(siteId);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim() || null;
    const values = validate(consentFields, {
      subjectId,
      siteId: form.get("siteId"),
      purpose: form.get("purpose"),
      scopes: form.getAll("scopes"),
      method: form.get("method"),
      isSeparate: form.get("isSeparate") === "on",
      isBundled: form.get("isSeparate") !== "on",
      noticeId: text("noticeId"),
      evidenceSha256: null,
      guardianName: text("guardianName"),
      guardianRelation: text("guardianRelation"),
      givenAt: form.get("givenAt"),
    });
    if (!values) return;
    give.mutate({ orgId, ...values });
  }

  const toggle = (scope: Scope, on: boolean) =>
    setScopes((current) => {
      const next = new Set(current);
      if (on) next.add(scope);
      else next.delete(scope);
      return next;
    });
  return (
    <Modal title={t("giveConsent")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <div className="grid grid-cols-2 gap-4">
          <Field id="siteId" label={t("site")} error={errors.siteId}>
            <Select
              autoFocus
              id="siteId"
              name="siteId"
              value={siteId ?? ""}
              onChange={(event) => setChosenSite(event.currentTarget.value)}
            >
              {placements.data?.map((site) => (
                <option key={site.id} value={site.id}>
                  {site.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="purpose" label={tr("purpose")} error={errors.purpose}>
            <Select id="purpose" name="purpose">
              {ENTRY_PURPOSES.map((purpose) => (
                <option key={purpose} value={purpose}>
                  {tr(`purposes.${purpose}`)}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <NoticeField siteId={siteId} notices={notices.data} error={errors.noticeId} />
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">{t("scopes")}</legend>
          <div className="mt-1 space-y-2">
            {CONSENT_SCOPES.map((scope) => (
              <label key={scope} className="flex items-start gap-2 text-sm">
                <input
                  type="checkbox"
                  name="scopes"
                  value={scope}
                  checked={scopes.has(scope)}
                  onChange={(event) => toggle(scope, event.currentTarget.checked)}
                  className="mt-0.5"
                  aria-describedby={`scope-${scope}-hint`}
                />
                <span>
                  <span className="font-medium">{t(`scopeNames.${scope}`)}</span>
                  <span id={`scope-${scope}-hint`} className="block text-xs text-slate-500">
                    {t(`scopeHints.${scope}`)}
                  </span>
                </span>
              </label>
            ))}
          </div>
          {errors.scopes && <p className="text-sm text-red-600">{errors.scopes}</p>}
          {scopes.has("central_storage") && !scopes.has("transfer") && (
            <p className="mt-2 text-sm text-amber-700" data-testid="transfer-needed">
              {t("centralNeedsTransfer")}
            </p>
          )}
        </fieldset>
        <div className="grid grid-cols-2 gap-4">
          <Field id="method" label={t("method")} error={errors.method}>
            <Select id="method" name="method">
              {CONSENT_METHODS.map((method) => (
                <option key={method} value={method}>
                  {t(`methods.${method}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="givenAt" label={t("givenAt")} error={errors.givenAt}>
            <Input id="givenAt" name="givenAt" type="date" defaultValue={dateInputValue(new Date())} />
          </Field>
        </div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="isSeparate" defaultChecked className="size-4" />
          {t("separate")}
        </label>
        <div className="grid grid-cols-2 gap-4">
          <Field id="guardianName" label={t("guardianName")} error={errors.guardianName}>
            <Input id="guardianName" name="guardianName" maxLength={120} />
          </Field>
          <Field id="guardianRelation" label={t("guardianRelation")} error={errors.guardianRelation}>
            <Input id="guardianRelation" name="guardianRelation" maxLength={60} />
          </Field>
        </div>
        {/* Sites and their notices load first: submitting before that would send no site or notice. */}
        <FormActions onCancel={onClose} pending={give.isPending} disabled={!placements.data || !notices.data} />
      </form>
    </Modal>
  );
}

/**
 * For a consent recorded without the notice version shown (CN-FR-03): the person confirms a
 * notice of the consent's site and its version is recorded on the consent, which stays with its
 * templates.
 */
export function ConfirmNoticeForm({ consent, onClose }: { consent: Consent; onClose: () => void }) {
  const t = useTranslations("people");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks } = useDialogForm(onClose);
  const confirm = useMutation(trpc.notices.confirm.mutationOptions(mutationCallbacks));
  const notices = useSiteNotices(consent.siteId);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const noticeId = String(new FormData(event.currentTarget).get("noticeId") ?? "");
    if (noticeId) confirm.mutate({ orgId, consentId: consent.id, noticeId });
  }

  return (
    <Modal title={t("confirmNotice")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <p className="text-sm text-slate-600">{t("confirmNoticeIntro", { site: consent.siteName })}</p>
        <NoticeField siteId={consent.siteId} notices={notices.data} error={errors.noticeId} />
        <FormActions onCancel={onClose} pending={confirm.isPending} disabled={!notices.data?.length} />
      </form>
    </Modal>
  );
}
