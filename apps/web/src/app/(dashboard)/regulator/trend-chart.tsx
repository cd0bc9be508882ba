"use client";

import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { useState } from "react";
import { useTRPC } from "~/trpc/react";

const RANGES = [30, 90, 365] as const;
const SERIES = [
  { key: "score", scale: 1, color: "#1d4ed8" },
  { key: "signage", scale: 100, color: "#059669" },
  { key: "consent", scale: 100, color: "#d97706" },
  { key: "alternatives", scale: 100, color: "#7c3aed" },
] as const;

/** Average score and coverage per day from compliance snapshots, as plain SVG lines (0–100). */
export function TrendChart({ siteId }: { siteId?: string }) {
  const t = useTranslations("regulator");
  const trpc = useTRPC();
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const trend = useQuery(trpc.regulator.trend.queryOptions({ days, siteId }));
  const points = trend.data ?? [];
  const width = 600;
  const height = 160;
  const x = (i: number) => (points.length <= 1 ? width / 2 : (i / (points.length - 1)) * width);
  const y = (value: number) => height - (Math.max(0, Math.min(100, value)) / 100) * height;
  return (
    <div className="p-4">
      <div className="mb-2 flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">{t("trend")}</h2>
        <div className="flex gap-1">
          {RANGES.map((range) => (
            <button
              key={range}
              type="button"
              className={`rounded px-2 py-0.5 text-xs ${range === days ? "bg-brand-600 text-white" : "bg-slate-100"}`}
              onClick={() => setDays(range)}
            >
              {t("days", { days: range })}
            </button>
          ))}
        </div>
      </div>
      {points.length === 0 ? (
        <p className="text-sm text-slate-500">{t("noTrend")}</p>
      ) : (
        <>
          <svg viewBox={`0 0 ${width} ${height}`} className="h-40 w-full" role="img" aria-label={t("trend")}>
            {SERIES.map((series) => {
              const path = points
                .map((point, i) => {
                  const value = point[series.key];
                  return value === null ? null : `${x(i).toFixed(1)},${y(value * series.scale).toFixed(1)}`;
                })
                .filter(Boolean)
                .join(" ");
              return <polyline key={series.key} points={path} fill="none" stroke={series.color} strokeWidth={2} />;
            })}
          </svg>
          <div className="mt-1 flex flex-wrap gap-3 text-xs">
            {SERIES.map((series) => (
              <span key={series.key} style={{ color: series.color }}>
                ● {t(`series.${series.key}`)}
              </span>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
