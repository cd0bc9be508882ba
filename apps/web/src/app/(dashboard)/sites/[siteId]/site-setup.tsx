"use client";

import type { RouterOutputs } from "@consentry/api";
import { useTranslations } from "next-intl";
import { Checklist } from "~/components/checklist";

type Setup = RouterOutputs["sites"]["byId"]["setup"];

/** In the order a property manager does them; each links to the section of this page that does it. */
const STEPS = [
  ["entryPoints", "#entry-points"],
  ["alternatives", "#entry-points"],
  ["assessment", "#assessments"],
  ["notice", "#notices"],
  ["signs", "#signs"],
  ["cameras", "#cameras"],
] as const satisfies readonly (readonly [keyof Setup, string])[];

/** A site's set-up checklist, ticked from the site's own data; gone once every step is done. */
export function SiteSetup({ setup }: { setup: Setup }) {
  const t = useTranslations("siteSetup");
  if (STEPS.every(([step]) => setup[step])) return null;
  return (
    <Checklist
      id="site-setup"
      title={t("title")}
      subtitle={t("subtitle")}
      doneLabel={t("done")}
      todoLabel={t("todo")}
      steps={STEPS.map(([step, anchor]) => ({
        key: step,
        done: setup[step],
        label: t(`steps.${step}`),
        action: (
          <a href={anchor} className="text-brand-700 hover:underline">
            {t(`why.${step}`)}
          </a>
        ),
      }))}
    />
  );
}
