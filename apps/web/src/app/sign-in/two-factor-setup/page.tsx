import { twoFactorSetupRequired } from "@consentry/auth";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { LanguageSwitch } from "~/components/language-switch";
import { activeMembership } from "~/server/access";
import { currentPrincipal } from "~/server/principal";
import { db } from "~/server/services";
import { NEXT_PARAM, safeNextPath, signInPathFor, withNextPath } from "../next-path";
import { RequiredSetup } from "./required-setup";

export const dynamic = "force-dynamic";

/**
 * Where a member lands when the active organisation requires two-factor and they have none: outside
 * the dashboard, so no other page opens before it is set up (src/server/access.ts sends them here).
 */
export default async function TwoFactorSetupPage({ searchParams }: { searchParams: Promise<Record<string, unknown>> }) {
  const query = await searchParams;
  const next = safeNextPath(query[NEXT_PARAM]) ?? "/";
  const principal = await currentPrincipal();
  if (!principal) redirect(signInPathFor(withNextPath("/sign-in/two-factor-setup", next)));
  const membership = await activeMembership(principal);
  if (!membership || !(await twoFactorSetupRequired(db, principal.userId, membership.orgId))) redirect(next);
  const t = await getTranslations("twoFactor");
  return (
    <div className="flex min-h-screen flex-col items-center justify-center px-4 py-10">
      <div className="absolute top-4 right-4">
        <LanguageSwitch />
      </div>
      <div className="w-full max-w-lg">
        <p className="mb-6 text-center text-xl font-semibold text-brand-700">Consentry</p>
        <div className="rounded-lg border border-slate-200 bg-white p-6 shadow-xs">
          <h1 className="text-lg font-semibold">{t("requiredTitle")}</h1>
          <p className="mb-5 text-sm text-slate-600">{t("requiredBody", { name: membership.orgName })}</p>
          <RequiredSetup next={next} />
        </div>
      </div>
    </div>
  );
}
