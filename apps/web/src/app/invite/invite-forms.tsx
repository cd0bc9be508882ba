"use client";

import { authClient } from "@consentry/auth/client";
import { useMutation } from "@tanstack/react-query";
import { TRPCClientError } from "@trpc/client";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { type FormEvent, useState } from "react";
import { NewPasswordFields } from "~/components/new-password-fields";
import { Alert, Button, Field, Input } from "~/components/ui";
import { chooseOrganization } from "~/server/preferences";
import { useTRPC } from "~/trpc/react";

type Translate = ReturnType<typeof useTranslations<"onboarding.invite">>;

/** The server's reason for refusing, in the page's words (the link died meanwhile, the policy…). */
function refusal(error: unknown, t: Translate, minLength: number) {
  const reason =
    error instanceof TRPCClientError ? (error.data?.fieldError as { reason?: string } | null)?.reason : undefined;
  if (reason?.startsWith("password_"))
    return t(`password.${reason.slice(9)}` as "password.tooShort", { min: minLength });
  if (reason?.startsWith("invitation_")) return t(`refused.${reason.slice(11)}` as "refused.used");
  return t("failed", { message: error instanceof Error ? error.message : String(error) });
}

async function landIn(router: ReturnType<typeof useRouter>, orgId: string) {
  await chooseOrganization(orgId);
  router.replace("/sites");
  router.refresh();
}

/** A new person: name and password twice; the account and membership are made together, then they are signed in. */
export function NewAccountForm({ token, email, minLength }: { token: string; email: string; minLength: number }) {
  const t = useTranslations("onboarding.invite");
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const accept = useMutation(trpc.members.acceptAsNewUser.mutationOptions());

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const name = String(form.get("name") ?? "").trim();
    const password = String(form.get("newPassword") ?? "");
    if (!name) return setError(t("nameMissing"));
    if (password.length < minLength) return setError(t("password.tooShort", { min: minLength }));
    if (password !== String(form.get("confirmPassword") ?? "")) return setError(t("mismatch"));
    setError(null);
    setPending(true);
    try {
      const joined = await accept.mutateAsync({ token, name, password });
      const { error: signInError } = await authClient.signIn.email({ email, password });
      if (signInError) {
        // The account exists now; only signing in failed (rate limit, SSO required…).
        router.replace(`/sign-in?next=${encodeURIComponent("/sites")}`);
        return;
      }
      await landIn(router, joined.orgId);
    } catch (failure) {
      setPending(false);
      setError(refusal(failure, t, minLength));
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      {error && <Alert>{error}</Alert>}
      <Field id="email" label={t("email")}>
        <Input id="email" value={email} readOnly disabled autoComplete="username" />
      </Field>
      <Field id="name" label={t("name")}>
        <Input id="name" name="name" autoComplete="name" required maxLength={120} autoFocus />
      </Field>
      <NewPasswordFields
        newLabel={t("passwordLabel")}
        confirmLabel={t("passwordAgain")}
        hint={t("passwordHint", { min: minLength })}
      />
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? t("joining") : t("createAccount")}
      </Button>
    </form>
  );
}

/** Signed in with the invited address: one click joins with the same account. */
export function AcceptAsSignedIn({ token }: { token: string }) {
  const t = useTranslations("onboarding.invite");
  const trpc = useTRPC();
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const accept = useMutation(
    trpc.members.accept.mutationOptions({
      onSuccess: (result) => (result.joined ? landIn(router, result.orgId) : setError(t(`refused.${result.reason}`))),
      onError: (failure) => setError(refusal(failure, t, 0)),
    }),
  );
  return (
    <>
      {error && <Alert>{error}</Alert>}
      <Button
        className="w-full"
        disabled={accept.isPending || accept.isSuccess}
        onClick={() => accept.mutate({ token })}
      >
        {accept.isPending ? t("joining") : t("accept")}
      </Button>
    </>
  );
}

/** Signed in as someone else: sign out, then this page asks again. */
export function SignOutToSwitch() {
  const t = useTranslations("onboarding.invite");
  const router = useRouter();
  return (
    <Button
      variant="secondary"
      className="w-full"
      onClick={async () => {
        await authClient.signOut();
        router.refresh();
      }}
    >
      {t("signOutToSwitch")}
    </Button>
  );
}
