"use client";

import { authClient } from "@consentry/auth/client";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { ConfirmedSubmit } from "~/components/confirmed-submit";
import { Modal } from "~/components/modal";
import { Alert, Badge, Button, Field, Input } from "~/components/ui";
import { BackupCodes, errorText, TwoFactorSetup } from "./two-factor-setup";

/** On: new backup codes or turn it off (both with the password). Off: set it up. */
export function TwoFactorSection({ enabled, requiredBy }: { enabled: boolean; requiredBy: string[] }) {
  const t = useTranslations("twoFactor");
  const router = useRouter();
  const [dialog, setDialog] = useState<"codes" | "disable" | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const close = () => {
    setDialog(null);
    setError(null);
  };

  async function regenerate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setPending(true);
    setError(null);
    const { data, error: failure } = await authClient.twoFactor.generateBackupCodes({ password });
    setPending(false);
    if (failure || !data) return setError(errorText(t, failure));
    setCodes(data.backupCodes);
    close();
  }

  async function disable(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.twoFactor.disable({ password });
    setPending(false);
    if (failure) return setError(errorText(t, failure));
    close();
    router.refresh();
  }

  if (!enabled)
    return (
      <div className="space-y-3">
        <Badge tone="amber">{t("off")}</Badge>
        {requiredBy.length > 0 && <Alert tone="amber">{t("requiredBy", { names: requiredBy.join(", ") })}</Alert>}
        <TwoFactorSetup onDone={() => router.refresh()} doneLabel={t("finish")} />
      </div>
    );

  const passwordForm = (onSubmit: (event: FormEvent<HTMLFormElement>) => void, irreversible: boolean) => (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field id="two-factor-password" label={t("password")}>
        <Input
          id="two-factor-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={128}
          autoFocus
        />
      </Field>
      {irreversible ? (
        <ConfirmedSubmit
          confirmLabel={t("disableConfirm")}
          cancelLabel={t("cancel")}
          submitLabel={t("disable")}
          pending={pending}
          onCancel={close}
        />
      ) : (
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={close}>
            {t("cancel")}
          </Button>
          <Button type="submit" disabled={pending}>
            {t("regenerate")}
          </Button>
        </div>
      )}
    </form>
  );

  return (
    <div className="space-y-4">
      <div className="flex items-center gap-2">
        <Badge tone="green">{t("on")}</Badge>
        <span className="text-sm text-slate-600">{t("onHint")}</span>
      </div>
      {codes && <BackupCodes codes={codes} />}
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => setDialog("codes")}>
          {t("regenerate")}
        </Button>
        {requiredBy.length > 0 ? (
          <p className="text-sm text-slate-500">{t("cannotDisable", { names: requiredBy.join(", ") })}</p>
        ) : (
          <Button variant="danger" onClick={() => setDialog("disable")}>
            {t("disable")}
          </Button>
        )}
      </div>
      {dialog === "codes" && (
        <Modal title={t("regenerateTitle")} onClose={close}>
          <p className="mb-4 text-sm text-slate-600">{t("regenerateHint")}</p>
          {passwordForm(regenerate, false)}
        </Modal>
      )}
      {dialog === "disable" && (
        <Modal title={t("disableTitle")} onClose={close}>
          <p className="mb-4 text-sm text-slate-600">{t("disableHint")}</p>
          {passwordForm(disable, true)}
        </Modal>
      )}
    </div>
  );
}
