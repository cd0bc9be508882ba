"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { assessmentFields, noticeFields } from "@consentry/core/validators";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Button, EmptyState, Field, Input, Table, Td } from "~/components/ui";
import { dateInputValue } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";
import { Section } from "./section";

type FormKind = "notice" | "assessment";
const NOTICE_FIELDS = ["controller", "purpose", "method", "retention", "rights", "contact"] as const;
const NOTICE_LABELS = {
  controller: "controller",
  purpose: "noticePurpose",
  method: "method",
  retention: "retention",
  rights: "rights",
  contact: "contact",
} as const;

/** The site's privacy notices (CN-FR-03) and impact assessments (CN-FR-08). */
export function RecordsSection({ siteId }: { siteId: string }) {
  const t = useTranslations("registry");
  const format = useFormatter();
  const trpc = useTRPC();
  const org = useActiveOrg();
  const [form, setForm] = useState<FormKind | null>(null);
  const notices = useQuery(trpc.notices.list.queryOptions({ orgId: org.orgId, siteId }));
  const assessments = useQuery(trpc.assessments.list.queryOptions({ orgId: org.orgId, siteId }));
  const date = (value: Date | null) => (value ? format.dateTime(value, { dateStyle: "medium" }) : t("none"));
  const canEdit = roleAtLeast(org.role, "manager");
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Section
        id="notices"
        title={t("notices")}
        action={
          canEdit && (
            <Button variant="secondary" onClick={() => setForm("notice")}>
              {t("publishNotice")}
            </Button>
          )
        }
      >
        {notices.data?.length === 0 ? (
          <EmptyState title={t("noNotices")} />
        ) : (
          <Table head={[t("version", { version: "" }).trim(), t("noticePurpose"), t("retention")]}>
            {notices.data?.map((notice) => (
              <tr key={notice.id}>
                <Td className="whitespace-nowrap">{t("version", { version: notice.version })}</Td>
                <Td className="text-slate-600">{notice.purpose}</Td>
                <Td className="text-slate-600">{notice.retention}</Td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      <Section
        id="assessments"
        title={t("assessments")}
        action={
          canEdit && (
            <Button variant="secondary" onClick={() => setForm("assessment")}>
              {t("addAssessment")}
            </Button>
          )
        }
      >
        {assessments.data?.length === 0 ? (
          <EmptyState title={t("noAssessments")} />
        ) : (
          <Table head={[t("completedAt"), t("approver"), t("nextReview")]}>
            {assessments.data?.map((assessment) => (
              <tr key={assessment.id}>
                <Td className="whitespace-nowrap">{date(assessment.completedAt)}</Td>
                <Td>{assessment.approver}</Td>
                <Td className="whitespace-nowrap">{date(assessment.nextReviewAt)}</Td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      {form && <RecordForm kind={form} siteId={siteId} onClose={() => setForm(null)} />}
    </div>
  );
}

function RecordForm({ kind, siteId, onClose }: { kind: FormKind; siteId: string; onClose: () => void }) {
  const t = useTranslations("registry");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const publish = useMutation(trpc.notices.publish.mutationOptions(mutationCallbacks));
  const record = useMutation(trpc.assessments.create.mutationOptions(mutationCallbacks));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "");
    if (kind === "notice") {
      const values = validate(noticeFields, {
        siteId,
        ...Object.fromEntries(NOTICE_FIELDS.map((name) => [name, value(name)])),
      });
      if (!values) return;
      return publish.mutate({ orgId, ...values });
    }
    const values = validate(assessmentFields, {
      siteId,
      scope: value("scope"),
      approver: value("approver"),
      documentSha256: value("documentSha256").trim().toLowerCase(),
      completedAt: value("completedAt"),
      nextReviewAt: value("nextReviewAt") || null,
    });
    if (!values) return;
    record.mutate({ orgId, ...values });
  }

  const text = (name: string, label: string, autoFocus = false) => (
    <Field key={name} id={name} label={label} error={errors[name]}>
      <Input autoFocus={autoFocus} id={name} name={name} maxLength={2000} />
    </Field>
  );
  return (
    <Modal title={kind === "notice" ? t("publishNotice") : t("addAssessment")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        {kind === "notice" ? (
          NOTICE_FIELDS.map((name, i) => text(name, t(NOTICE_LABELS[name]), i === 0))
        ) : (
          <>
            {text("scope", t("scope"), true)}
            {text("approver", t("approver"))}
            {text("documentSha256", t("documentHash"))}
            <div className="grid grid-cols-2 gap-4">
              <Field id="completedAt" label={t("completedAt")} error={errors.completedAt}>
                <Input id="completedAt" name="completedAt" type="date" defaultValue={dateInputValue(new Date())} />
              </Field>
              <Field id="nextReviewAt" label={t("nextReview")} error={errors.nextReviewAt}>
                <Input id="nextReviewAt" name="nextReviewAt" type="date" />
              </Field>
            </div>
          </>
        )}
        <FormActions onCancel={onClose} pending={publish.isPending || record.isPending} />
      </form>
    </Modal>
  );
}
