"use client";

import { authClient } from "@consentry/auth/client";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { NewPasswordFields } from "~/components/new-password-fields";
import { localPasswordProblem, PASSWORD_LIMITS, passwordProblemKey } from "~/components/password-problem";
import { Alert, Button, Field, Input } from "~/components/ui";

/** Asks for a link. The answer is the same whether or not the address has an account. */
export function RequestResetForm({ minutes }: { minutes: number }) {
  const t = useTranslations("passwordReset");
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "").trim();
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.requestPasswordReset({ email });
    setPending(false);
    if (!failure) return setSent(true);
    if (failure.status === 429) setError(t("tooMany"));
    else if (failure.status === 400) setError(t("invalidEmail"));
    else setError(t("failed", { message: failure.message ?? String(failure.status) }));
  }

  if (sent) return <Alert tone="blue">{t("sent", { minutes })}</Alert>;
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field id="email" label={t("email")}>
        <Input id="email" name="email" type="email" autoComplete="username" required maxLength={254} />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? t("sending") : t("send")}
      </Button>
    </form>
  );
}

/** Sets the new password with the link's token; a link that stopped working offers a new one. */
export function SetPasswordForm({ token, minLength, minutes }: { token: string; minLength: number; minutes: number }) {
  const t = useTranslations("passwordReset");
  const tp = useTranslations("passwordPolicy");
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [linkDead, setLinkDead] = useState(false);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const newPassword = String(form.get("newPassword") ?? "");
    const local = localPasswordProblem(newPassword, String(form.get("confirmPassword") ?? ""));
    if (local) return setError(tp(local, { ...PASSWORD_LIMITS, min: minLength }));
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.resetPassword({ newPassword, token });
    if (!failure) {
      router.replace("/sign-in?reset=done");
      return;
    }
    setPending(false);
    const problem = passwordProblemKey(failure.code);
    if (failure.code === "INVALID_TOKEN") setLinkDead(true);
    else if (problem) setError(tp(problem, { ...PASSWORD_LIMITS, min: minLength }));
    else if (failure.status === 429) setError(t("tooMany"));
    else setError(t("failed", { message: failure.message ?? String(failure.status) }));
  }

  if (linkDead)
    return (
      <div className="space-y-4">
        <Alert tone="amber">{t("invalid", { minutes })}</Alert>
        <RequestResetForm minutes={minutes} />
      </div>
    );
  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <NewPasswordFields
        newLabel={t("newPassword")}
        confirmLabel={t("confirmPassword")}
        hint={tp("rules", { ...PASSWORD_LIMITS, min: minLength })}
      />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? t("saving") : t("save")}
      </Button>
    </form>
  );
}
