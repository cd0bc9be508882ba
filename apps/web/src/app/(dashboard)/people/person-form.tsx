"use client";

import type { RouterOutputs } from "@consentry/api";
import { subjectFields } from "@consentry/core/validators";
import { useMutation } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import type { FormEvent } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Field, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

/**
 * Adds a person, or corrects one's record (`person`); `requestId` names the correction request
 * the change answers, so the request's history records it.
 */
export function PersonForm({
  person,
  requestId,
  onClose,
}: {
  person?: RouterOutputs["subjects"]["get"];
  requestId?: string;
  onClose: () => void;
}) {
  const t = useTranslations("people");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const create = useMutation(trpc.subjects.create.mutationOptions(mutationCallbacks));
  const update = useMutation(trpc.subjects.update.mutationOptions(mutationCallbacks));
  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const year = String(form.get("birthYear") ?? "").trim();
    const values = validate(subjectFields, {
      displayName: form.get("displayName"),
      contact: String(form.get("contact") ?? "").trim() || null,
      isMinor: form.get("isMinor") === "on",
      birthYear: year ? Number(year) : null,
    });
    if (!values) return;
    if (person) update.mutate({ orgId, subjectId: person.id, ...(requestId ? { requestId } : {}), ...values });
    else create.mutate({ orgId, ...values });
  }
  return (
    <Modal title={person ? t("edit", { pseudonym: person.pseudonym }) : t("add")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="displayName" label={t("name")} error={errors.displayName}>
          <Input
            autoFocus
            id="displayName"
            name="displayName"
            maxLength={120}
            defaultValue={person?.displayName ?? ""}
          />
        </Field>
        <Field id="contact" label={t("contact")} error={errors.contact}>
          <Input id="contact" name="contact" maxLength={254} defaultValue={person?.contact ?? ""} />
        </Field>
        <div className="grid grid-cols-2 gap-4">
          <Field id="birthYear" label={t("birthYear")} error={errors.birthYear}>
            <Input
              id="birthYear"
              name="birthYear"
              type="number"
              min={1900}
              max={new Date().getFullYear()}
              defaultValue={person?.birthYear ?? ""}
            />
          </Field>
          <label className="mt-7 flex items-center gap-2 text-sm">
            <input type="checkbox" name="isMinor" className="size-4" defaultChecked={person?.isMinor} />
            {t("minor")}
          </label>
        </div>
        <FormActions onCancel={onClose} pending={create.isPending || update.isPending} />
      </form>
    </Modal>
  );
}
