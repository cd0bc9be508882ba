"use client";

import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { FormActions } from "~/components/form-actions";
import type { FieldErrors } from "~/components/form-errors";
import { Modal } from "~/components/modal";
import { Alert, Field, Input } from "~/components/ui";

export type NetworkRuleInput = { cidr: string; portFrom: number | null; portTo: number | null; text: string | null };

/**
 * CIDR, optional port range and a note (or, for installation exceptions, a reason). Checked on
 * the server only: the shared schema parses addresses with packages/network, not for the browser.
 */
export function NetworkFormDialog({
  title,
  textLabel,
  textRequired,
  errors,
  textField,
  pending,
  onSubmit,
  onClose,
}: {
  title: string;
  textLabel: string;
  textRequired?: boolean;
  textField: "note" | "reason";
  errors: FieldErrors;
  pending: boolean;
  onSubmit: (input: NetworkRuleInput) => void;
  onClose: () => void;
}) {
  const t = useTranslations("cameraNetworks");
  const invalid = (field: string) =>
    errors[field] ? { "aria-invalid": true, "aria-describedby": `${field}-error` } : {};
  const port = (value: FormDataEntryValue | null) => (value && String(value).trim() ? Number(value) : null);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = String(form.get("text") ?? "").trim();
    onSubmit({
      cidr: String(form.get("cidr") ?? ""),
      portFrom: port(form.get("portFrom")),
      portTo: port(form.get("portTo")),
      text: text || null,
    });
  }

  return (
    <Modal title={title} onClose={onClose}>
      <form onSubmit={submit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="cidr" label={t("cidr")} hint={t("cidrHint")} error={errors.cidr}>
          <Input autoFocus id="cidr" name="cidr" maxLength={64} className="font-mono" {...invalid("cidr")} />
        </Field>
        <div className="grid grid-cols-2 gap-4">
          <Field id="portFrom" label={t("portFrom")} hint={t("portsHint")} error={errors.portFrom}>
            <Input id="portFrom" name="portFrom" type="number" min={1} max={65535} {...invalid("portFrom")} />
          </Field>
          <Field id="portTo" label={t("portTo")} error={errors.portTo}>
            <Input id="portTo" name="portTo" type="number" min={1} max={65535} {...invalid("portTo")} />
          </Field>
        </div>
        <Field id="text" label={textLabel} error={errors[textField]}>
          <Input id="text" name="text" maxLength={200} required={textRequired} {...invalid(textField)} />
        </Field>
        <FormActions onCancel={onClose} pending={pending} />
      </form>
    </Modal>
  );
}
