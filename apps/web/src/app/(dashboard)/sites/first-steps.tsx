"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActiveOrg } from "~/components/org-context";
import { Card } from "~/components/ui";
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
    <Card className="mb-6">
      <section aria-labelledby="first-steps-title" className="px-5 py-4" data-testid="first-steps">
        <h2 id="first-steps-title" className="text-base font-semibold">
          {t("title")}
        </h2>
        <p className="mt-0.5 text-sm text-slate-600">{t("subtitle")}</p>
        <ol className="mt-3 space-y-2">
          {STEPS.map((step, index) => {
            const done = data.steps[step];
            const href = where[step];
            return (
              <li key={step} className="flex items-start gap-3 text-sm" data-done={done}>
                <span
                  aria-hidden
                  className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs ${done ? "bg-emerald-600 text-white" : "border border-slate-300 text-slate-500"}`}
                >
                  {done ? "✓" : index + 1}
                </span>
                <span className={done ? "text-slate-500 line-through" : "text-slate-800"}>
                  <span className="sr-only">{done ? t("doneLabel") : t("todoLabel")} </span>
                  {t(`steps.${step}`)}
                  {!done && (
                    <span className="ml-2 text-slate-500">
                      {href ? (
                        <Link href={href} className="text-brand-700 hover:underline">
                          {t(`where.${step}`)}
                        </Link>
                      ) : (
                        t(data.siteId || step === "site" ? `where.${step}` : "afterSite")
                      )}
                    </span>
                  )}
                </span>
              </li>
            );
          })}
        </ol>
      </section>
    </Card>
  );
}
