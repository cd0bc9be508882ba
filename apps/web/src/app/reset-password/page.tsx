import { MIN_PASSWORD_LENGTH, RESET_LINK_MINUTES, resetLinkState } from "@consentry/auth";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { SignedOutFrame } from "~/components/signed-out-frame";
import { Alert } from "~/components/ui";
import { auth } from "~/server/services";
import { RequestResetForm, SetPasswordForm } from "./reset-forms";

export const dynamic = "force-dynamic";

/** Without a token: ask for a link. With one: set the new password, or say plainly why the link no longer works. */
export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  const { token } = await searchParams;
  const t = await getTranslations();
  const state = typeof token === "string" ? await resetLinkState(auth, token) : null;
  return (
    <SignedOutFrame>
      {state === "valid" && typeof token === "string" ? (
        <>
          <h1 className="text-lg font-semibold">{t("passwordReset.setTitle")}</h1>
          <p className="mb-5 text-sm text-slate-500">{t("passwordReset.setSubtitle", { min: MIN_PASSWORD_LENGTH })}</p>
          <SetPasswordForm token={token} minLength={MIN_PASSWORD_LENGTH} minutes={RESET_LINK_MINUTES} />
        </>
      ) : (
        <>
          <h1 className="text-lg font-semibold">{t("passwordReset.requestTitle")}</h1>
          <p className="mb-5 text-sm text-slate-500">
            {t("passwordReset.requestSubtitle", { minutes: RESET_LINK_MINUTES })}
          </p>
          {state && (
            <div className="mb-4">
              <Alert tone="amber">{t(`passwordReset.${state}`, { minutes: RESET_LINK_MINUTES })}</Alert>
            </div>
          )}
          <RequestResetForm minutes={RESET_LINK_MINUTES} />
        </>
      )}
      <p className="mt-4 text-center text-sm">
        <Link href="/sign-in" className="text-brand-700 hover:underline">
          {t("passwordReset.backToSignIn")}
        </Link>
      </p>
    </SignedOutFrame>
  );
}
