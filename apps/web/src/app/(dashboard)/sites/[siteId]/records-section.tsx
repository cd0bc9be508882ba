"use client";

import { roleAtLeast } from "@consentry/auth/roles";
import { assessmentFields, noticeFields } from "@consentry/core/validators";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { useDialogForm } from "~/components/dialog-form";
import { FormActions } from "~/components/form-actions";
import type { FieldErrors } from "~/components/form-errors";
import { Modal } from "~/components/modal";
import { useActiveOrg } from "~/components/org-context";
import { Alert, Button, EmptyState, Field, Input, Table, Td } from "~/components/ui";
import { dateInputValue, shanghaiDayEnd } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";
import { Section } from "./section";

type FormKind = "notice" | "assessment";
/** What the assessment form accepts; the server checks the bytes themselves (PDF, DOCX or ODT). */
const DOCUMENT_ACCEPT =
  ".pdf,.docx,.odt,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.oasis.opendocument.text";
const assessmentFormFields = assessmentFields.omit({ documentSha256: true });
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
          <Table head={[t("completedAt"), t("approver"), t("nextReview"), t("document")]}>
            {assessments.data?.map((assessment) => (
              <tr key={assessment.id} data-testid="assessment-row">
                <Td className="whitespace-nowrap">{date(assessment.completedAt)}</Td>
                <Td>{assessment.approver}</Td>
                <Td className="whitespace-nowrap">{date(assessment.nextReviewAt)}</Td>
                <Td>
                  {assessment.hasDocument ? (
                    <a
                      href={`/api/assessments/${assessment.id}/document?orgId=${org.orgId}`}
                      className="text-brand-700 hover:underline"
                      download
                    >
                      {assessment.documentName ?? t("downloadDocument")}
                    </a>
                  ) : (
                    <span className="text-xs text-slate-500">{t("hashOnly")}</span>
                  )}
                  <div className="font-mono text-xs text-slate-500" title={assessment.documentSha256}>
                    SHA-256 {assessment.documentSha256.slice(0, 12)}…
                  </div>
                </Td>
              </tr>
            ))}
          </Table>
        )}
      </Section>
      {form === "notice" && <NoticeForm siteId={siteId} onClose={() => setForm(null)} />}
      {form === "assessment" && <AssessmentForm siteId={siteId} onClose={() => setForm(null)} />}
    </div>
  );
}

/** Publishes the site's next notice version (CN-FR-03). */
function NoticeForm({ siteId, onClose }: { siteId: string; onClose: () => void }) {
  const t = useTranslations("registry");
  const trpc = useTRPC();
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const publish = useMutation(trpc.notices.publish.mutationOptions(mutationCallbacks));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const values = validate(noticeFields, {
      siteId,
      ...Object.fromEntries(NOTICE_FIELDS.map((name) => [name, String(form.get(name) ?? "")])),
    });
    if (values) publish.mutate({ orgId, ...values });
  }

  return (
    <Modal title={t("publishNotice")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {errors.form && <Alert>{errors.form}</Alert>}
        {NOTICE_FIELDS.map((name, i) => (
          <Field key={name} id={name} label={t(NOTICE_LABELS[name])} error={errors[name]}>
            <Input autoFocus={i === 0} id={name} name={name} maxLength={2000} />
          </Field>
        ))}
        <FormActions onCancel={onClose} pending={publish.isPending} />
      </form>
    </Modal>
  );
}

/** The SHA-256 of a chosen file, in the browser, or null where Web Crypto is unavailable (plain http). */
async function sha256Of(file: File): Promise<string | null> {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/**
 * Records an impact assessment (CN-FR-08) with its document: the file goes to the server, which
 * stores it and computes the SHA-256 kept as evidence; the hash shown here before sending is the
 * browser's own, for comparing with the copy the manager holds.
 */
function AssessmentForm({ siteId, onClose }: { siteId: string; onClose: () => void }) {
  const t = useTranslations("registry");
  const tv = useTranslations("validation");
  const { orgId } = useActiveOrg();
  const { errors, mutationCallbacks, validate } = useDialogForm(onClose);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const [sending, setSending] = useState(false);
  const [chosen, setChosen] = useState<{ name: string; sha256: string | null } | null>(null);
  const shown = { ...errors, ...serverErrors };

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const body = new FormData(event.currentTarget);
    const value = (name: string) => String(body.get(name) ?? "");
    setServerErrors({});
    const values = validate(assessmentFormFields, {
      siteId,
      scope: value("scope"),
      approver: value("approver"),
      completedAt: value("completedAt"),
      nextReviewAt: value("nextReviewAt") || null,
    });
    const document = body.get("document");
    if (!(document instanceof File) || document.size === 0) {
      setServerErrors({ document: tv("required") });
      return;
    }
    if (!values) return;
    body.set("siteId", siteId);
    // A day is sent as its moment in Shanghai: today means now, so an assessment recorded right
    // after a material change covers it (CN-FR-08 compares times); an earlier day, its end.
    const day = value("completedAt");
    body.set("completedAt", (day === dateInputValue(new Date()) ? new Date() : shanghaiDayEnd(day)).toISOString());
    setSending(true);
    const response = await fetch(`/api/assessments?orgId=${orgId}`, { method: "POST", body }).catch(() => null);
    setSending(false);
    if (response?.ok) {
      await mutationCallbacks.onSuccess();
      return;
    }
    const problem = (await response?.json().catch(() => null)) as {
      field?: string | null;
      reason?: string | null;
      error?: string;
    } | null;
    const message = problem?.reason && tv.has(problem.reason) ? tv(problem.reason) : (problem?.error ?? tv("invalid"));
    setServerErrors({ [problem?.field ?? "form"]: message });
  }

  const text = (name: string, label: string, autoFocus = false) => (
    <Field key={name} id={name} label={label} error={shown[name]}>
      <Input autoFocus={autoFocus} id={name} name={name} maxLength={2000} />
    </Field>
  );
  return (
    <Modal title={t("addAssessment")} onClose={onClose}>
      <form onSubmit={onSubmit} className="space-y-4" noValidate>
        {shown.form && <Alert>{shown.form}</Alert>}
        {text("scope", t("scope"), true)}
        {text("approver", t("approver"))}
        <Field id="document" label={t("documentFile")} hint={t("documentHint")} error={shown.document}>
          <input
            id="document"
            name="document"
            type="file"
            accept={DOCUMENT_ACCEPT}
            className="block text-sm"
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              setChosen(file ? { name: file.name, sha256: null } : null);
              if (file) void sha256Of(file).then((sha256) => setChosen({ name: file.name, sha256 }));
            }}
          />
        </Field>
        {chosen?.sha256 && (
          <p className="break-all font-mono text-xs text-slate-600" data-testid="document-sha256">
            {t("documentHashComputed", { sha256: chosen.sha256 })}
          </p>
        )}
        <div className="grid grid-cols-2 gap-4">
          <Field id="completedAt" label={t("completedAt")} error={shown.completedAt}>
            <Input id="completedAt" name="completedAt" type="date" defaultValue={dateInputValue(new Date())} />
          </Field>
          <Field id="nextReviewAt" label={t("nextReview")} error={shown.nextReviewAt}>
            <Input id="nextReviewAt" name="nextReviewAt" type="date" />
          </Field>
        </div>
        <FormActions onCancel={onClose} pending={sending} />
      </form>
    </Modal>
  );
}
