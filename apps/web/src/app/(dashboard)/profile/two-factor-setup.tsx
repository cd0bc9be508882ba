"use client";

import { authClient } from "@consentry/auth/client";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { downloadText } from "~/components/download";
import { Alert, Button, Field, Input } from "~/components/ui";

type Started = { uri: string; secret: string; backupCodes: string[] };

/**
 * Turns two-factor on in three steps: the password; then the app is set up from the otpauth
 * address (no QR library is installed, so the address and the secret are shown to copy or type)
 * and one code proves it works; then the backup codes are shown, once.
 */
export function TwoFactorSetup({ onDone, doneLabel }: { onDone: () => void; doneLabel: string }) {
  const t = useTranslations("twoFactor");
  const [started, setStarted] = useState<Started | null>(null);
  const [verified, setVerified] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function start(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setPending(true);
    setError(null);
    const { data, error: failure } = await authClient.twoFactor.enable({ password });
    setPending(false);
    if (failure || !data || !("totpURI" in data) || !data.totpURI) return setError(errorText(t, failure));
    const secret = new URL(data.totpURI).searchParams.get("secret") ?? "";
    setStarted({ uri: data.totpURI, secret, backupCodes: data.backupCodes ?? [] });
  }

  async function verify(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "").replace(/\s/g, "");
    if (!/^\d{6}$/.test(code)) return setError(t("codeFormat"));
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.twoFactor.verifyTotp({ code });
    setPending(false);
    if (failure) return setError(errorText(t, failure));
    setVerified(true);
  }

  if (started && verified)
    return (
      <div className="space-y-4">
        <Alert tone="blue">{t("enabledNotice")}</Alert>
        <BackupCodes codes={started.backupCodes} />
        <Button onClick={onDone}>{doneLabel}</Button>
      </div>
    );

  if (started)
    return (
      <form onSubmit={verify} className="space-y-4" noValidate>
        {error && <Alert>{error}</Alert>}
        <ol className="list-decimal space-y-3 pl-5 text-sm text-slate-700">
          <li>
            {t("stepApp")}
            <div className="mt-2 space-y-2">
              <p className="text-xs text-slate-500">{t("uriLabel")}</p>
              <code data-testid="totp-uri" className="block break-all rounded bg-slate-100 p-2 text-xs select-all">
                {started.uri}
              </code>
              <p className="text-xs text-slate-500">{t("secretLabel")}</p>
              <code
                data-testid="totp-secret"
                className="block rounded bg-slate-100 p-2 font-mono text-sm tracking-wider select-all"
              >
                {started.secret.replace(/(.{4})/g, "$1 ").trim()}
              </code>
            </div>
          </li>
          <li>{t("stepCode")}</li>
        </ol>
        <Field id="totp-code" label={t("code")}>
          <Input
            id="totp-code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            required
            maxLength={8}
            autoFocus
          />
        </Field>
        <Button type="submit" disabled={pending}>
          {pending ? t("verifying") : t("verify")}
        </Button>
      </form>
    );

  return (
    <form onSubmit={start} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <p className="text-sm text-slate-600">{t("intro")}</p>
      <Field id="enable-password" label={t("password")} hint={t("passwordHint")}>
        <Input
          id="enable-password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={128}
        />
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? t("starting") : t("start")}
      </Button>
    </form>
  );
}

/** The backup codes, shown once: each signs in once when the phone is not at hand. */
export function BackupCodes({ codes }: { codes: string[] }) {
  const t = useTranslations("twoFactor");
  const [copied, setCopied] = useState(false);
  const text = `${t("backupFileTitle")}\n\n${codes.join("\n")}\n`;
  return (
    <div className="space-y-3">
      <p className="text-sm font-medium">{t("backupTitle")}</p>
      <p className="text-sm text-slate-600">{t("backupHint")}</p>
      <ul data-testid="backup-codes" className="grid grid-cols-2 gap-1 rounded bg-slate-100 p-3 font-mono text-sm">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="flex gap-2">
        <Button variant="secondary" onClick={() => downloadText("consentry-backup-codes.txt", text, "text/plain")}>
          {t("download")}
        </Button>
        <Button
          variant="secondary"
          onClick={() =>
            navigator.clipboard.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? t("copied") : t("copy")}
        </Button>
      </div>
    </div>
  );
}

type Translate = ReturnType<typeof useTranslations<"twoFactor">>;

/** Better Auth's two-factor error codes, in the reader's language. */
export function errorText(t: Translate, failure: { code?: string; status?: number; message?: string } | null) {
  switch (failure?.code) {
    case "INVALID_PASSWORD":
      return t("errors.wrongPassword");
    case "INVALID_CODE":
    case "INVALID_BACKUP_CODE":
      return t("errors.wrongCode");
    case "TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE":
      return t("errors.tooManyAttempts");
    case "INVALID_TWO_FACTOR_COOKIE":
      return t("errors.expired");
    case "ACCOUNT_TEMPORARILY_LOCKED":
      return t("errors.locked");
    case "TOTP_ALREADY_ENABLED":
      return t("errors.alreadyEnabled");
    case "TWO_FACTOR_REQUIRED":
      return t("errors.requiredByOrganization");
  }
  if (failure?.status === 429) return t("errors.tooMany");
  return t("errors.failed", { message: failure?.message ?? String(failure?.status ?? "") });
}
