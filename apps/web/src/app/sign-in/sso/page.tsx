import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { SignedOutFrame } from "~/components/signed-out-frame";
import { Alert } from "~/components/ui";
import { currentPrincipal } from "~/server/principal";
import { NEXT_PARAM, safeNextPath } from "../next-path";
import { SsoForm } from "./sso-form";

export const dynamic = "force-dynamic";

/** What packages/auth/src/sso.ts sends the browser back with (SsoErrorCode). */
const ERRORS = [
  "no_sso",
  "invalid_email",
  "unreachable",
  "expired",
  "provider",
  "email_missing",
  "email_unverified",
  "unmapped",
  "deactivated",
] as const;
const PROVIDER_CODES = [
  "access_denied",
  "invalid_client",
  "unauthorized_client",
  "invalid_grant",
  "login_required",
  "server_error",
  "temporarily_unavailable",
] as const;

const one = (value: unknown) => (typeof value === "string" ? value : Array.isArray(value) ? value[0] : undefined);

/**
 * Single sign-on: the work email's domain picks the organisation's identity provider (a plain
 * form to the auth plugin, which redirects there); errors of the flow come back here by code.
 */
export default async function SsoSignInPage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  const query = await searchParams;
  const next = safeNextPath(query[NEXT_PARAM]) ?? "/";
  if (await currentPrincipal()) redirect(next);
  const t = await getTranslations("ssoSignIn");
  const email = (one(query.email) ?? "").slice(0, 254);
  const error = ERRORS.find((code) => code === one(query.error));
  const rawCode = one(query.code);
  const code = rawCode && /^[a-z0-9_.-]{1,64}$/i.test(rawCode) ? rawCode : "provider_error";
  const knownCode = PROVIDER_CODES.find((known) => known === code);
  const passwordLink = next !== "/" ? `/sign-in?${NEXT_PARAM}=${encodeURIComponent(next)}` : "/sign-in";

  return (
    <SignedOutFrame>
      <h1 className="text-lg font-semibold">{t("title")}</h1>
      <p className="mb-5 text-sm text-slate-500">{t("subtitle")}</p>
      {error && (
        <div className="mb-4" data-testid="sso-error">
          <Alert tone={error === "no_sso" ? "blue" : "red"}>
            {t(`errors.${error}`, { code })}
            {error === "provider" && knownCode && <> {t(`providerCodes.${knownCode}`)}</>}
            {error === "no_sso" && (
              <>
                {" "}
                <Link href={passwordLink} className="font-medium underline">
                  {t("backToPassword")}
                </Link>
              </>
            )}
          </Alert>
        </div>
      )}
      <SsoForm email={email} next={next} />
      <p className="mt-4 text-center text-sm">
        <Link href={passwordLink} className="text-brand-700 hover:underline">
          {t("backToPassword")}
        </Link>
      </p>
    </SignedOutFrame>
  );
}
