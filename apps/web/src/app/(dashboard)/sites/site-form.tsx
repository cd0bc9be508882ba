"use client";

import type { RouterOutputs } from "@consentry/api";
import { SITE_KINDS, siteFields } from "@consentry/core/validators";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Field, Input, Select } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

type Site = RouterOutputs["sites"]["list"]["items"][number];

/** Create (no `site`) or edit a site, in a modal dialog. */
export function SiteFormDialog({ site, onClose }: { site?: Site; onClose: () => void }) {
  const t = useTranslations("sites");
  const tr = useTranslations("regionHistory");
  const trpc = useTRPC();
  const { orgId, role } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);

  const create = useMutation(trpc.sites.create.mutationOptions(mutationCallbacks));
  const update = useMutation(trpc.sites.update.mutationOptions(mutationCallbacks));
  const pending = create.isPending || update.isPending;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = validate(siteFields, {
      name: form.get("name"),
      address: form.get("address"),
      regionCode: form.get("regionCode"),
      kind: form.get("kind"),
      templateRetentionDays: Number(form.get("templateRetentionDays")),
      eventSnapshots: form.get("eventSnapshots") === "on",
    });
    if (!values) return;
    if (site) update.mutate({ orgId, siteId: site.id, ...values });
    else create.mutate({ orgId, ...values });
  }

  const invalid = (field: string) =>
    errors[field] ? { "aria-invalid": true, "aria-describedby": `${field}-error` } : {};

  return (
    <Modal title={site ? t("editTitle") : t("newTitle")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="name" label={t("name")} error={errors.name}>
          <Input autoFocus id="name" name="name" defaultValue={site?.name} maxLength={120} {...invalid("name")} />
        </Field>
        <Field id="address" label={t("address")} error={errors.address}>
          <Input id="address" name="address" defaultValue={site?.address} maxLength={300} {...invalid("address")} />
        </Field>
        <div className="grid grid-cols-2 gap-4">
          {/* An existing site's region is read-only here: owners move it from the site page, with a reason. */}
          <Field
            id="regionCode"
            label={t("regionCode")}
            hint={site ? tr(role === "owner" ? "readOnlyOwner" : "readOnlyManager") : t("regionHint")}
            error={errors.regionCode}
          >
            <Input
              id="regionCode"
              name="regionCode"
              inputMode="numeric"
              defaultValue={site?.regionCode}
              readOnly={Boolean(site)}
              className={site ? "bg-slate-50 text-slate-500" : undefined}
              maxLength={6}
              {...invalid("regionCode")}
            />
          </Field>
          <Field id="kind" label={t("kind")} error={errors.kind}>
            <Select id="kind" name="kind" defaultValue={site?.kind ?? "residential"} {...invalid("kind")}>
              {SITE_KINDS.map((kind) => (
                <option key={kind} value={kind}>
                  {t(`kinds.${kind}`)}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <Field
          id="templateRetentionDays"
          label={t("retention")}
          hint={t("retentionHint")}
          error={errors.templateRetentionDays}
        >
          <Input
            id="templateRetentionDays"
            name="templateRetentionDays"
            type="number"
            min={1}
            max={3650}
            defaultValue={site?.templateRetentionDays ?? 365}
            {...invalid("templateRetentionDays")}
          />
        </Field>
        {/* Off unless the site opts in; the explanation says what is kept, for whom, and until when. */}
        <label className="flex items-start gap-2 text-sm">
          <input
            type="checkbox"
            name="eventSnapshots"
            className="mt-0.5 size-4"
            defaultChecked={site?.eventSnapshots ?? false}
          />
          <span>
            {t("eventSnapshots")}
            <span className="block text-xs text-slate-500">{t("eventSnapshotsHint")}</span>
          </span>
        </label>
        <FormActions onCancel={onClose} pending={pending} />
      </form>
    </Modal>
  );
}
