"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { Checklist } from "~/components/checklist";
import { useActiveOrg } from "~/components/org-context";
import { useTRPC } from "~/trpc/react";

const STEPS = ["site", "assessment", "camera", "notice", "sign"] as const;

/**
 * A new organisation's first steps, each ticked from its own data and linking to where it is
 * done; shown on the Sites page until every step is done.
 */
export function FirstSteps() {
  const t = useTranslations("onboarding.firstSteps");
  const trpc = useTRPC();
  const org = useActiveOrg();
  const { data } = useQuery(trpc.members.firstSteps.queryOptions({ orgId: org.orgId }));
  if (!data || data.done) return null;
  const sitePage = data.siteId ? `/sites/${data.siteId}` : null;
  const where: Record<(typeof STEPS)[number], string | null> = {
    site: null, // the Add site button just below
    assessment: sitePage,
    camera: data.siteId ? "/cameras" : null,
    notice: sitePage,
    sign: sitePage,
  };
  return (
    <Checklist
      id="first-steps"
      className="mb-6"
      title={t("title")}
      subtitle={t("subtitle")}
      doneLabel={t("doneLabel")}
      todoLabel={t("todoLabel")}
      steps={STEPS.map((step) => {
        const href = where[step];
        return {
          key: step,
          done: data.steps[step],
          label: t(`steps.${step}`),
          action: href ? (
            <Link href={href} className="text-brand-700 hover:underline">
              {t(`where.${step}`)}
            </Link>
          ) : (
            t(data.siteId || step === "site" ? `where.${step}` : "afterSite")
          ),
        };
      })}
    />
  );
}
