"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { ConfirmedSubmit } from "~/components/confirmed-submit";
import { useDialogForm } from "~/components/dialog-form";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Field, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

/**
 * An owner moves the site to another region, with a reason and a confirmation: the region decides
 * which regulator oversees the site, and both regulators will see the move.
 */
export function MoveRegionDialog({
  site,
  onClose,
}: {
  site: { id: string; name: string; regionCode: string };
  onClose: () => void;
}) {
  const t = useTranslations("regionHistory.dialog");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks } = useDialogForm(onClose);
  const move = useMutation(trpc.sites.moveRegion.mutationOptions(mutationCallbacks));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // The server validates both fields and answers beside them.
    move.mutate({
      orgId,
      siteId: site.id,
      regionCode: String(form.get("regionCode") ?? "").trim(),
      reason: String(form.get("reason") ?? ""),
    });
  }

  const invalid = (field: string) =>
    errors[field] ? { "aria-invalid": true, "aria-describedby": `${field}-error` } : {};

  return (
    <Modal title={t("title", { site: site.name })} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <Alert tone="amber">{t("body")}</Alert>
        {errors.form && <Alert>{errors.form}</Alert>}
        <p className="text-sm">
          {t("from")}: <span className="font-mono">{site.regionCode}</span>
        </p>
        <Field id="regionCode" label={t("to")} hint={t("toHint")} error={errors.regionCode}>
          <Input
            autoFocus
            id="regionCode"
            name="regionCode"
            inputMode="numeric"
            maxLength={6}
            {...invalid("regionCode")}
          />
        </Field>
        <Field id="reason" label={t("reason")} hint={t("reasonHint")} error={errors.reason}>
          <textarea
            id="reason"
            name="reason"
            rows={3}
            maxLength={500}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
            {...invalid("reason")}
          />
        </Field>
        <ConfirmedSubmit
          confirmLabel={t("confirm")}
          cancelLabel={t("cancel")}
          submitLabel={t("submit")}
          pending={move.isPending}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}
