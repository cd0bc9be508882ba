"use client";

import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { Button, Field, Input } from "~/components/ui";

/**
 * The work email, sent to the auth plugin's start endpoint by navigation rather than a form
 * submission: the CSP's `form-action 'self'` would block its redirect to the identity provider.
 */
export function SsoForm({ email, next }: { email: string; next: string }) {
  const t = useTranslations("ssoSignIn");
  const [pending, setPending] = useState(false);

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const address = String(new FormData(event.currentTarget).get("email") ?? "").trim();
    const params = new URLSearchParams({ email: address, ...(next !== "/" ? { next } : {}) });
    setPending(true);
    window.location.assign(`/api/auth/sso/start?${params}`);
  }

  return (
    <form onSubmit={submit} className="space-y-4">
      <Field id="sso-email" label={t("email")}>
        <Input
          id="sso-email"
          name="email"
          type="email"
          autoComplete="email"
          required
          autoFocus
          maxLength={254}
          defaultValue={email}
        />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {t("submit")}
      </Button>
    </form>
  );
}
