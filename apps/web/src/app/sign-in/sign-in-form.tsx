"use client";

import { authClient } from "@consentry/auth/client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { Alert, Button, Field, Input } from "~/components/ui";

type Step = { kind: "password" } | { kind: "code"; backup: boolean };

/**
 * `next`: where to go once signed in, already checked to be a path on this site. An account with
 * two-factor answers the password with `twoFactorRedirect` and no session yet; the second step then
 * asks for a code from the app or a backup code (Better Auth's two-factor cookie ties them).
 */
export function SignInForm({ next }: { next: string }) {
  const t = useTranslations("signIn");
  const router = useRouter();
  const [step, setStep] = useState<Step>({ kind: "password" });
  const [error, setError] = useState<string | null>(null);
  const [ssoEmail, setSsoEmail] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  function signedIn() {
    router.replace(next);
    router.refresh();
  }

  async function onPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email")).trim();
    setPending(true);
    setError(null);
    setSsoEmail(null);
    const { data, error: failure } = await authClient.signIn.email({ email, password: String(form.get("password")) });
    if (failure) {
      setPending(false);
      if (failure.code === "SSO_REQUIRED") setSsoEmail(email);
      else if (failure.code === "ACCOUNT_LOCKED") setError(t("locked"));
      else if (failure.code === "CLIENT_ADDRESS_UNKNOWN") setError(t("addressUnknown"));
      else if (failure.status === 401 || failure.status === 400) setError(t("wrongPassword"));
      else if (failure.status === 429) setError(t("tooMany"));
      else setError(t("failed", { message: failure.message ?? String(failure.status) }));
      return;
    }
    if (data && "twoFactorRedirect" in data && data.twoFactorRedirect) {
      setPending(false);
      setStep({ kind: "code", backup: false });
      return;
    }
    signedIn();
  }

  async function onCode(event: FormEvent<HTMLFormElement>, backup: boolean) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "").replace(/\s/g, "");
    if (!backup && !/^\d{6}$/.test(code)) return setError(t("codeFormat"));
    if (!code) return setError(t("backupFormat"));
    setPending(true);
    setError(null);
    const { error: failure } = backup
      ? await authClient.twoFactor.verifyBackupCode({ code })
      : await authClient.twoFactor.verifyTotp({ code });
    setPending(false);
    if (!failure) return signedIn();
    if (failure.code === "INVALID_CODE" || failure.code === "INVALID_BACKUP_CODE") setError(t("wrongCode"));
    else if (failure.code === "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE" || failure.code === "INVALID_TWO_FACTOR_COOKIE") {
      // The challenge is over: the password must be given again.
      setStep({ kind: "password" });
      setError(failure.code === "INVALID_TWO_FACTOR_COOKIE" ? t("codeExpired") : t("codeTooManyAttempts"));
    } else if (failure.code === "ACCOUNT_TEMPORARILY_LOCKED") setError(t("codeLocked"));
    else if (failure.status === 429) setError(t("tooMany"));
    else setError(t("failed", { message: failure.message ?? String(failure.status) }));
  }

  if (step.kind === "code")
    return (
      <form onSubmit={(event) => onCode(event, step.backup)} className="space-y-4" noValidate key={String(step.backup)}>
        <p className="text-sm text-slate-600">{step.backup ? t("backupPrompt") : t("codePrompt")}</p>
        {error && <Alert>{error}</Alert>}
        <Field id="code" label={step.backup ? t("backupCode") : t("code")}>
          <Input
            id="code"
            name="code"
            inputMode={step.backup ? "text" : "numeric"}
            autoComplete="one-time-code"
            required
            maxLength={step.backup ? 40 : 8}
            autoFocus
          />
        </Field>
        <Button type="submit" className="w-full" disabled={pending}>
          {pending ? t("verifying") : t("verify")}
        </Button>
        <div className="flex justify-between text-sm">
          <button
            type="button"
            className="text-brand-700 hover:underline"
            onClick={() => {
              setError(null);
              setStep({ kind: "code", backup: !step.backup });
            }}
          >
            {step.backup ? t("useApp") : t("useBackup")}
          </button>
          <button
            type="button"
            className="text-slate-500 hover:underline"
            onClick={() => {
              setError(null);
              setStep({ kind: "password" });
            }}
          >
            {t("startOver")}
          </button>
        </div>
      </form>
    );

  return (
    <form onSubmit={onPassword} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      {ssoEmail && (
        <Alert tone="blue">
          <span className="block">{t("ssoRequired")}</span>
          <Link
            href={`/sign-in/sso?email=${encodeURIComponent(ssoEmail)}`}
            className="mt-2 inline-block font-medium text-brand-700 underline"
            data-testid="sso-required-link"
          >
            {t("ssoContinue")}
          </Link>
        </Alert>
      )}
      <Field id="email" label={t("email")}>
        <Input id="email" name="email" type="email" autoComplete="username" required maxLength={254} />
      </Field>
      <Field id="password" label={t("password")}>
        <Input id="password" name="password" type="password" autoComplete="current-password" required maxLength={200} />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? t("submitting") : t("submit")}
      </Button>
    </form>
  );
}
