"use client";

import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { ConfirmedSubmit } from "~/components/confirmed-submit";
import { useDialogForm } from "~/components/dialog-form";
import { Modal } from "~/components/modal";
import { Alert, Field } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

/**
 * Closes a broken segment of the audit chain with a signed, audited re-anchor, after a reason and
 * a confirmation: the break stays visible, and entries after it verify again.
 */
export function ReanchorDialog({
  brokenAtId,
  reasonText,
  onClose,
}: {
  brokenAtId: number;
  reasonText: string;
  onClose: () => void;
}) {
  const t = useTranslations("auditChain.dialog");
  const trpc = useTRPC();
  const { errors, mutationCallbacks } = useDialogForm(onClose);
  const reanchor = useMutation(trpc.audit.reanchor.mutationOptions(mutationCallbacks));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // The server validates the reason and answers beside it.
    reanchor.mutate({ brokenAtId, reason: String(form.get("reason") ?? "") });
  }

  return (
    <Modal title={t("title", { id: brokenAtId })} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        <Alert tone="amber">{t("body")}</Alert>
        <p className="text-sm">
          {t("break")}: {reasonText}
        </p>
        {(errors.form || errors.brokenAtId) && <Alert>{errors.form ?? errors.brokenAtId}</Alert>}
        <Field id="reason" label={t("reason")} hint={t("reasonHint")} error={errors.reason}>
          <textarea
            id="reason"
            name="reason"
            rows={4}
            maxLength={2000}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
            {...(errors.reason ? { "aria-invalid": true, "aria-describedby": "reason-error" } : {})}
          />
        </Field>
        <ConfirmedSubmit
          confirmLabel={t("confirm")}
          cancelLabel={t("cancel")}
          submitLabel={t("submit")}
          pending={reanchor.isPending}
          onCancel={onClose}
        />
      </form>
    </Modal>
  );
}
