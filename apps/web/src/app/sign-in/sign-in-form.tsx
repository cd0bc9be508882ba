"use client";

import { authClient } from "@consentry/auth/client";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { Alert, Button, Field, Input } from "~/components/ui";

/** `next`: where to go once signed in, already checked to be a path on this site. */
export function SignInForm({ next }: { next: string }) {
  const t = useTranslations("signIn");
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError(null);
    const { error: failure } = await authClient.signIn.email({
      email: String(form.get("email")),
      password: String(form.get("password")),
    });
    if (failure) {
      setPending(false);
      if (failure.code === "ACCOUNT_LOCKED") setError(t("locked"));
      else if (failure.code === "CLIENT_ADDRESS_UNKNOWN") setError(t("addressUnknown"));
      else if (failure.status === 401 || failure.status === 400) setError(t("wrongPassword"));
      else if (failure.status === 429) setError(t("tooMany"));
      else setError(t("failed", { message: failure.message ?? String(failure.status) }));
      return;
    }
    router.replace(next);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
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
