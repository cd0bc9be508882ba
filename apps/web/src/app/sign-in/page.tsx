import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { SignedOutFrame } from "~/components/signed-out-frame";
import { Alert } from "~/components/ui";
import { currentPrincipal } from "~/server/principal";
import { NEXT_PARAM, safeNextPath } from "./next-path";
import { SignInForm } from "./sign-in-form";

export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  const query = await searchParams;
  // Only a path on this site; anything else (//host, https://…) lands on the dashboard.
  const next = safeNextPath(query[NEXT_PARAM]) ?? "/";
  if (await currentPrincipal()) redirect(next);
  const t = await getTranslations();
  return (
    <SignedOutFrame tagline={t("common.tagline")}>
      <h1 className="text-lg font-semibold">{t("signIn.title")}</h1>
      <p className="mb-5 text-sm text-slate-500">{t("signIn.subtitle")}</p>
      {query.reset === "done" && (
        <div className="mb-4">
          <Alert tone="blue">{t("passwordReset.doneNotice")}</Alert>
        </div>
      )}
      <SignInForm next={next} />
      <p className="mt-4 flex justify-between text-sm">
        <Link href="/reset-password" className="text-brand-700 hover:underline">
          {t("passwordReset.forgotLink")}
        </Link>
        <Link href="/sign-in/sso" className="text-brand-700 hover:underline">
          {t("signIn.ssoLink")}
        </Link>
      </p>
    </SignedOutFrame>
  );
}
