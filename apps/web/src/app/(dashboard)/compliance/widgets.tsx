"use client";

import { useTranslations } from "next-intl";
import { Badge } from "~/components/ui";

export const SEVERITY_TONE = { critical: "red", high: "amber", medium: "blue", info: "neutral" } as const;

/** Score badge: red at 40 or below (a critical finding caps there), amber below 80. */
export function ScoreBadge({ score }: { score: number }) {
  const tone = score <= 40 ? "red" : score < 80 ? "amber" : "green";
  return (
    <Badge tone={tone}>
      <span data-testid="score">{Math.round(score)}</span>
    </Badge>
  );
}

/** A 0..1 share as a bar with its percentage; "n/a" when nothing is measured. */
export function CoverageBar({ value, label }: { value: number | null; label: string }) {
  const t = useTranslations("compliance");
  if (value === null) return <span className="text-xs text-slate-400">{t("notMeasured")}</span>;
  const percent = Math.round(value * 100);
  const color = percent === 100 ? "bg-emerald-500" : percent >= 80 ? "bg-amber-400" : "bg-red-500";
  return (
    <div className="flex items-center gap-2" title={label}>
      <meter className="sr-only" min={0} max={100} value={percent} aria-label={label} />
      <div className="h-2 w-20 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
        <div className={`h-full ${color}`} style={{ width: `${percent}%` }} />
      </div>
      <span className="text-xs text-slate-600 tabular-nums" data-testid={`coverage-${label}`}>
        {percent}%
      </span>
    </div>
  );
}
