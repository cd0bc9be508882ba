/** One day of a regulator's trend (regulator.trend): the average score and coverage shares (0–1). */
export type TrendPoint = {
  day: string;
  score: number;
  signage: number | null;
  consent: number | null;
  alternatives: number | null;
};

export const TREND_SERIES = [
  { key: "score", scale: 1, color: "#1d4ed8" },
  { key: "signage", scale: 100, color: "#059669" },
  { key: "consent", scale: 100, color: "#d97706" },
  { key: "alternatives", scale: 100, color: "#7c3aed" },
] as const;
export type TrendSeriesKey = (typeof TREND_SERIES)[number]["key"];

/** The SVG's viewBox and the plot inside it, leaving room for the axis labels. */
export const TREND_BOX = { width: 600, height: 190, left: 34, right: 594, top: 8, bottom: 166 } as const;
const DAY = 86_400_000;
const dayTime = (day: string) => Date.parse(`${day}T00:00:00Z`);
const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

export type TrendChartModel =
  | { state: "notEnoughData"; points: TrendPoint[] }
  | {
      state: "chart";
      lines: { key: TrendSeriesKey; color: string; segments: string[]; dots: { x: number; y: number }[] }[];
      xTicks: { x: number; day: string; anchor: "start" | "middle" | "end" }[];
      yTicks: { y: number; value: number }[];
    };

/**
 * What the trend chart draws. One day is a lone point, which a line cannot show (the chart was
 * blank): under two days the chart says there is not enough data yet. Days are placed by date,
 * so a gap between snapshots shows as one, and a day without a value breaks its line.
 */
export function trendChart(points: readonly TrendPoint[], box = TREND_BOX): TrendChartModel {
  const sorted = [...points].sort((a, b) => a.day.localeCompare(b.day));
  if (sorted.length < 2) return { state: "notEnoughData", points: sorted };
  const first = dayTime(sorted[0]?.day ?? "");
  const span = dayTime(sorted.at(-1)?.day ?? "") - first || 1;
  const plotWidth = box.right - box.left;
  const plotHeight = box.bottom - box.top;
  const x = (time: number) => box.left + ((time - first) / span) * plotWidth;
  const y = (value: number) => box.bottom - (Math.max(0, Math.min(100, value)) / 100) * plotHeight;
  const round = (n: number) => Math.round(n * 10) / 10;
  const lines = TREND_SERIES.map((series) => {
    const segments: string[][] = [];
    const dots: { x: number; y: number }[] = [];
    let current: string[] | null = null;
    for (const point of sorted) {
      const value = point[series.key];
      if (value === null) {
        current = null;
        continue;
      }
      const dot = { x: round(x(dayTime(point.day))), y: round(y(value * series.scale)) };
      dots.push(dot);
      if (!current) {
        current = [];
        segments.push(current);
      }
      current.push(`${dot.x},${dot.y}`);
    }
    return { key: series.key, color: series.color, segments: segments.map((s) => s.join(" ")), dots };
  });
  const middle = span >= 2 * DAY ? [first + Math.round(span / 2 / DAY) * DAY] : [];
  const times = [first, ...middle, first + span];
  const xTicks = times.map((time, i) => ({
    x: round(x(time)),
    day: dayOf(time),
    anchor: i === 0 ? ("start" as const) : i === times.length - 1 ? ("end" as const) : ("middle" as const),
  }));
  const yTicks = [0, 25, 50, 75, 100].map((value) => ({ y: round(y(value)), value }));
  return { state: "chart", lines, xTicks, yTicks };
}
