import { MIN_PASSWORD_LENGTH } from "@consentry/auth";
import Link from "next/link";
import { getFormatter, getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { SignedOutFrame } from "~/components/signed-out-frame";
import { Alert } from "~/components/ui";
import { serverApi } from "~/server/caller";
import { currentPrincipal } from "~/server/principal";
import { AcceptAsSignedIn, NewAccountForm, SignOutToSwitch } from "./invite-forms";

export const dynamic = "force-dynamic";

/**
 * The invitation link's page (no session needed): what it invites to, and the one way on from
 * here: a new account, sign in first, accept with one click, or why the link no longer works.
 */
export default async function InvitePage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  const { token } = await searchParams;
  const t = await getTranslations("onboarding.invite");
  const tr = await getTranslations("members.roles");
  const format = await getFormatter();
  const api = await serverApi();
  const shown =
    typeof token === "string" && token.length <= 200
      ? await api.members.invitation({ token })
      : ({ state: "invalid" } as const);
  const principal = await currentPrincipal();

  if (shown.state !== "valid") {
    return (
      <SignedOutFrame width="md">
        <h1 className="mb-3 text-lg font-semibold">{t("deadTitle")}</h1>
        <Alert tone="amber">{t(`dead.${shown.state}`)}</Alert>
        <p className="mt-4 text-sm text-slate-600">
          {"invitedBy" in shown && shown.invitedBy
            ? t("askInviter", { email: shown.invitedBy })
            : t("askInviterUnknown")}
        </p>
        {shown.state === "used" && (
          <p className="mt-4 text-center text-sm">
            <Link href="/sign-in" className="text-brand-700 hover:underline">
              {t("toSignIn")}
            </Link>
          </p>
        )}
      </SignedOutFrame>
    );
  }

  const path = `/invite?token=${encodeURIComponent(token as string)}`;
  const who = t("summary", {
    organization: shown.organization.name,
    role: tr(shown.role),
    email: shown.email,
  });
  let action: ReactNode;
  if (principal && principal.email.toLowerCase() === shown.email) {
    action = <AcceptAsSignedIn token={token as string} />;
  } else if (principal) {
    action = (
      <>
        <Alert tone="amber">{t("otherAddress", { invited: shown.email, signedIn: principal.email })}</Alert>
        <SignOutToSwitch />
      </>
    );
  } else if (shown.accountExists) {
    action = (
      <>
        <p className="text-sm text-slate-600">{t("existingAccount")}</p>
        <Link
          href={`/sign-in?next=${encodeURIComponent(path)}`}
          className="block rounded-md bg-brand-600 px-3.5 py-2 text-center text-sm font-medium text-white hover:bg-brand-700"
        >
          {t("signInToAccept")}
        </Link>
      </>
    );
  } else {
    action = <NewAccountForm token={token as string} email={shown.email} minLength={MIN_PASSWORD_LENGTH} />;
  }
  return (
    <SignedOutFrame width="md">
      <h1 className="text-lg font-semibold">{t("title", { organization: shown.organization.name })}</h1>
      <p className="mt-1 mb-1 text-sm text-slate-600">{who}</p>
      <p className="mb-5 text-xs text-slate-500">
        {t("expires", { at: format.dateTime(shown.expiresAt, { dateStyle: "medium", timeStyle: "short" }) })}
        {shown.invitedBy ? ` · ${t("invitedBy", { email: shown.invitedBy })}` : ""}
      </p>
      <div className="space-y-4">{action}</div>
    </SignedOutFrame>
  );
}
