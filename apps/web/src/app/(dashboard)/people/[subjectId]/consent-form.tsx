"use client";

import { CONSENT_METHODS, CONSENT_SCOPES, consentFields, ENTRY_PURPOSES } from "@consentry/core/validators";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Field, Input, Select } from "~/components/ui";
import { dateInputValue } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";

/** Records a person's consent for one site and purpose; a child's needs a guardian (CN-FR-05). */
export function ConsentForm({ subjectId, onClose }: { subjectId: string; onClose: () => void }) {
  const t = useTranslations("people");
  const tr = useTranslations("registry");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const placements = useQuery(trpc.cameras.placements.queryOptions({ orgId }));
  const give = useMutation(trpc.subjects.giveConsent.mutationOptions(mutationCallbacks));

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
      noticeId: null,
      evidenceSha256: null,
      guardianName: text("guardianName"),
      guardianRelation: text("guardianRelation"),
      givenAt: form.get("givenAt"),
    });
    if (!values) return;
    give.mutate({ orgId, ...values });
  }

  return (
    <Modal title={t("giveConsent")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <div className="grid grid-cols-2 gap-4">
          <Field id="siteId" label={t("site")} error={errors.siteId}>
            <Select autoFocus id="siteId" name="siteId">
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
        <fieldset>
          <legend className="text-sm font-medium text-slate-700">{t("scopes")}</legend>
          <div className="mt-1 flex flex-wrap gap-3">
            {CONSENT_SCOPES.map((scope) => (
              <label key={scope} className="flex items-center gap-1.5 text-sm">
                <input type="checkbox" name="scopes" value={scope} defaultChecked={scope === "recognition"} />
                {t(`scopeNames.${scope}`)}
              </label>
            ))}
          </div>
          {errors.scopes && <p className="text-sm text-red-600">{errors.scopes}</p>}
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
        {/* Sites load first: submitting before that would send no site. */}
        <FormActions onCancel={onClose} pending={give.isPending} disabled={!placements.data} />
      </form>
    </Modal>
  );
}
