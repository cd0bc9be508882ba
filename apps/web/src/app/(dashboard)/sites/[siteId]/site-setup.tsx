"use client";

import type { RouterOutputs } from "@consentry/api";
import { useTranslations } from "next-intl";
import { Card } from "~/components/ui";

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
    <Card>
      <section aria-labelledby="site-setup-title" className="px-5 py-4" data-testid="site-setup">
        <h2 id="site-setup-title" className="text-base font-semibold">
          {t("title")}
        </h2>
        <p className="mt-0.5 text-sm text-slate-600">{t("subtitle")}</p>
        <ol className="mt-3 space-y-2">
          {STEPS.map(([step, anchor], index) => {
            const done = setup[step];
            return (
              <li key={step} className="flex items-start gap-3 text-sm" data-done={done}>
                <span
                  aria-hidden
                  className={`mt-0.5 flex size-5 shrink-0 items-center justify-center rounded-full text-xs ${done ? "bg-emerald-600 text-white" : "border border-slate-300 text-slate-500"}`}
                >
                  {done ? "✓" : index + 1}
                </span>
                <span className={done ? "text-slate-500 line-through" : "text-slate-800"}>
                  <span className="sr-only">{done ? t("done") : t("todo")} </span>
                  {t(`steps.${step}`)}
                  {!done && (
                    <a href={anchor} className="ml-2 text-brand-700 hover:underline">
                      {t(`why.${step}`)}
                    </a>
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
