import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { SignedOutFrame } from "~/components/signed-out-frame";
import { activeMembership } from "~/server/access";
import { currentPrincipal } from "~/server/principal";
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
  if (!membership || !principal.twoFactorSetupFor.includes(membership.orgId)) redirect(next);
  const t = await getTranslations("twoFactor");
  return (
    <SignedOutFrame width="lg">
      <h1 className="text-lg font-semibold">{t("requiredTitle")}</h1>
      <p className="mb-5 text-sm text-slate-600">{t("requiredBody", { name: membership.orgName })}</p>
      <RequiredSetup next={next} />
    </SignedOutFrame>
  );
}
