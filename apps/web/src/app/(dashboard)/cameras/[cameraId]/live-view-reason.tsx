"use client";

import { VIDEO_ACCESS_REASONS, type VideoAccessReason } from "@consentry/db/values";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { type FieldErrors, fieldErrorsFromServer } from "~/components/form-errors";
import { Modal } from "~/components/modal";
import { Alert, Button, Field, Input, Select } from "~/components/ui";

export type LiveViewPurpose = { reason: VideoAccessReason; note?: string };
const NOTE_MAX = 500;

/**
 * Asks why before any ticket is requested: the reason (and a note, required for "other") goes
 * into the video-access register with the ticket. `onConfirm` requests the ticket; its errors
 * (the API's field errors included) are shown here, and the dialog stays open.
 */
export function LiveViewReasonDialog({
  onCancel,
  onConfirm,
}: {
  onCancel: () => void;
  onConfirm: (purpose: LiveViewPurpose) => Promise<void>;
}) {
  const t = useTranslations("liveView");
  const tReasons = useTranslations("videoAccess.reasons");
  const tv = useTranslations("validation");
  const [reason, setReason] = useState<VideoAccessReason | "">("");
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    // The same rules as the API, so the common mistakes are named before a round trip.
    if (!reason) return setErrors({ reason: tv("videoAccessReason") });
    if (reason === "other" && !note.trim()) return setErrors({ note: tv("videoAccessNoteRequired") });
    setErrors({});
    setPending(true);
    try {
      await onConfirm({ reason, note: note.trim() || undefined });
    } catch (error) {
      setErrors(fieldErrorsFromServer(error, tv));
    } finally {
      setPending(false);
    }
  }

  return (
    <Modal title={t("askTitle")} onClose={onCancel}>
      <form onSubmit={submit} className="space-y-4" noValidate data-testid="live-view-reason">
        <p className="text-sm text-slate-600">{t("askBody")}</p>
        <Field id="live-view-reason" label={t("reason")} error={errors.reason}>
          <Select
            id="live-view-reason"
            value={reason}
            autoFocus
            aria-invalid={Boolean(errors.reason)}
            onChange={(event) => setReason(event.target.value as VideoAccessReason | "")}
          >
            <option value="">{t("choose")}</option>
            {VIDEO_ACCESS_REASONS.map((value) => (
              <option key={value} value={value}>
                {tReasons(value)}
              </option>
            ))}
          </Select>
        </Field>
        <Field id="live-view-note" label={t("note")} hint={t("noteHint")} error={errors.note}>
          <Input
            id="live-view-note"
            value={note}
            maxLength={NOTE_MAX}
            aria-invalid={Boolean(errors.note)}
            onChange={(event) => setNote(event.target.value)}
          />
        </Field>
        {(errors.form ?? errors.cameraId) && <Alert>{errors.form ?? errors.cameraId}</Alert>}
        <div className="flex justify-end gap-2">
          <Button variant="ghost" onClick={onCancel}>
            {t("cancel")}
          </Button>
          <Button type="submit" disabled={pending}>
            {pending ? t("opening") : t("open")}
          </Button>
        </div>
      </form>
    </Modal>
  );
}
