"use client";

import { useQuery } from "@tanstack/react-query";
import { useFormatter, useTranslations } from "next-intl";
import { type ReactNode, useState } from "react";
import { shanghaiDayStart } from "~/i18n/locales";
import { useTRPC } from "~/trpc/react";
import { TREND_BOX, TREND_SERIES, trendChart } from "./trend-geometry";

const RANGES = [30, 90, 365] as const;

/** Average score and coverage per day from compliance snapshots, as SVG lines on a 0–100 axis. */
export function TrendChart({ siteId }: { siteId?: string }) {
  const t = useTranslations("regulator");
  const tt = useTranslations("regulatorTrends");
  const tc = useTranslations("common");
  const format = useFormatter();
  const trpc = useTRPC();
  const [days, setDays] = useState<(typeof RANGES)[number]>(30);
  const trend = useQuery(trpc.regulator.trend.queryOptions({ days, siteId }));
  const chart = trendChart(trend.data ?? []);
  const date = (day: string) => format.dateTime(shanghaiDayStart(day), { dateStyle: "medium" });
  let body: ReactNode;
  if (trend.isError)
    body = <p className="text-sm text-red-700">{tc("loadFailed", { message: trend.error.message })}</p>;
  else if (trend.isPending) body = <p className="text-sm text-slate-500">{tc("loading")}</p>;
  else if (chart.state === "notEnoughData") {
    const only = chart.points[0];
    body = (
      <p className="text-sm text-slate-500" data-testid="trend-not-enough">
        {tt("notEnough")}{" "}
        {only ? tt("soFar", { date: date(only.day), score: Math.round(only.score) }) : tt("none", { days })}
      </p>
    );
  } else {
    const { xTicks, yTicks, lines } = chart;
    body = (
      <>
        <svg
          viewBox={`0 0 ${TREND_BOX.width} ${TREND_BOX.height}`}
          className="w-full"
          role="img"
          aria-label={tt("chartLabel", { from: date(xTicks[0]?.day ?? ""), to: date(xTicks.at(-1)?.day ?? "") })}
          data-testid="trend-chart"
        >
          {yTicks.map((tick) => (
            <g key={tick.value}>
              <line
                x1={TREND_BOX.left}
                x2={TREND_BOX.right}
                y1={tick.y}
                y2={tick.y}
                stroke={tick.value === 0 ? "#94a3b8" : "#e2e8f0"}
              />
              <text x={TREND_BOX.left - 6} y={tick.y + 3.5} textAnchor="end" fontSize={10} fill="#64748b">
                {tick.value}
              </text>
            </g>
          ))}
          {xTicks.map((tick) => (
            <text
              key={tick.day}
              x={tick.x}
              y={TREND_BOX.height - 6}
              textAnchor={tick.anchor}
              fontSize={10}
              fill="#64748b"
            >
              {date(tick.day)}
            </text>
          ))}
          {lines.map((line) => (
            <g key={line.key} stroke={line.color} fill={line.color}>
              {line.segments.map((points) => (
                <polyline key={points} points={points} fill="none" strokeWidth={2} />
              ))}
              {line.dots.map((dot) => (
                <circle key={`${dot.x},${dot.y}`} cx={dot.x} cy={dot.y} r={2.5} stroke="none" />
              ))}
            </g>
          ))}
        </svg>
        <div className="mt-1 flex flex-wrap gap-3 text-xs">
          {TREND_SERIES.map((series) => (
            <span key={series.key} style={{ color: series.color }}>
              ● {t(`series.${series.key}`)}
            </span>
          ))}
          <span className="text-slate-500">{tt("axis")}</span>
        </div>
      </>
    );
  }
  return (
    <div className="p-4">
      <div className="mb-2 flex items-center justify-between gap-2">
        <h2 className="text-sm font-semibold">{t("trend")}</h2>
        <div className="flex gap-1">
          {RANGES.map((range) => (
            <button
              key={range}
              type="button"
              aria-pressed={range === days}
              className={`rounded px-2 py-0.5 text-xs ${range === days ? "bg-brand-600 text-white" : "bg-slate-100"}`}
              onClick={() => setDays(range)}
            >
              {t("days", { days: range })}
            </button>
          ))}
        </div>
      </div>
      {body}
    </div>
  );
}
