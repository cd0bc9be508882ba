"use client";

import { authClient } from "@consentry/auth/client";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { NewPasswordFields } from "~/components/new-password-fields";
import { localPasswordProblem, PASSWORD_LIMITS, passwordProblemKey } from "~/components/password-problem";
import { Alert, Button, Field, Input } from "~/components/ui";

/** Current password, the new one twice; every other session ends when it is changed. */
export function ChangePasswordForm() {
  const t = useTranslations("profile");
  const tp = useTranslations("passwordPolicy");
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const currentPassword = String(form.get("currentPassword") ?? "");
    const newPassword = String(form.get("newPassword") ?? "");
    setDone(false);
    const local = localPasswordProblem(newPassword, String(form.get("confirmPassword") ?? ""));
    if (local) return setError(tp(local, PASSWORD_LIMITS));
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.changePassword({
      currentPassword,
      newPassword,
      revokeOtherSessions: true,
    });
    setPending(false);
    if (failure) {
      const problem = passwordProblemKey(failure.code);
      if (problem) setError(tp(problem, PASSWORD_LIMITS));
      else if (failure.code === "INVALID_PASSWORD") setError(t("wrongCurrent"));
      else if (failure.status === 429) setError(t("tooMany"));
      else setError(t("failed", { message: failure.message ?? String(failure.status) }));
      return;
    }
    formElement.reset();
    setDone(true);
    router.refresh(); // the session list: the others are gone
  }

  return (
    <form onSubmit={onSubmit} className="max-w-sm space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      {done && <Alert tone="blue">{t("passwordChanged")}</Alert>}
      <Field id="currentPassword" label={t("currentPassword")}>
        <Input
          id="currentPassword"
          name="currentPassword"
          type="password"
          autoComplete="current-password"
          required
          maxLength={128}
        />
      </Field>
      <NewPasswordFields
        newLabel={t("newPassword")}
        confirmLabel={t("confirmPassword")}
        hint={tp("rules", PASSWORD_LIMITS)}
      />
      <Button type="submit" disabled={pending}>
        {pending ? t("saving") : t("changePassword")}
      </Button>
    </form>
  );
}
