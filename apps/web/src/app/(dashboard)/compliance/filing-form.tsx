"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { filingFields } from "@consentry/core/validators";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Button, Field, Input } from "~/components/ui";
import { dateInputValue } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";

/** The latest filing with the cyberspace office (CN-FR-15), and for owners a way to record one. */
export function FilingRecord() {
  const t = useTranslations("compliance");
  const format = useFormatter();
  const trpc = useTRPC();
  const org = useActiveOrg();
  const [recording, setRecording] = useState(false);
  const status = useQuery(trpc.filings.status.queryOptions({ orgId: org.orgId }));
  const latest = status.data?.filings.findLast((filing) => filing.filedAt !== null);
  return (
    <>
      {latest?.filedAt && (
        <span className="text-slate-600" data-testid="latest-filing">
          {t("filedWith", {
            authority: latest.authority ?? "—",
            reference: latest.reference ?? "—",
            date: format.dateTime(latest.filedAt, { dateStyle: "medium" }),
          })}
        </span>
      )}
      {roleAtLeast(org.role, "owner") && (
        <Button variant="secondary" className="ml-auto" onClick={() => setRecording(true)}>
          {t("recordFiling")}
        </Button>
      )}
      {recording && <FilingForm onClose={() => setRecording(false)} />}
    </>
  );
}

function FilingForm({ onClose }: { onClose: () => void }) {
  const t = useTranslations("compliance");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const record = useMutation(trpc.filings.record.mutationOptions(mutationCallbacks));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = validate(filingFields, {
      filedAt: form.get("filedAt"),
      thresholdReachedAt: form.get("thresholdReachedAt") || null,
      authority: form.get("authority"),
      reference: form.get("reference"),
    });
    if (values) record.mutate({ orgId, ...values });
  }

  return (
    <Modal title={t("recordFiling")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field id="authority" label={t("filingAuthority")} error={errors.authority}>
          <Input autoFocus id="authority" name="authority" maxLength={200} />
        </Field>
        <Field id="reference" label={t("filingReference")} error={errors.reference}>
          <Input id="reference" name="reference" maxLength={120} />
        </Field>
        <Field id="filedAt" label={t("filedAt")} error={errors.filedAt}>
          <Input id="filedAt" name="filedAt" type="date" defaultValue={dateInputValue(new Date())} />
        </Field>
        <Field id="thresholdReachedAt" label={t("thresholdReachedAt")} error={errors.thresholdReachedAt}>
          <Input id="thresholdReachedAt" name="thresholdReachedAt" type="date" />
        </Field>
        <FormActions onCancel={onClose} pending={record.isPending} />
      </form>
    </Modal>
  );
}
