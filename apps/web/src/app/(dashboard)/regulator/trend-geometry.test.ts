import { describe, expect, it } from "vitest";
import { TREND_BOX, type TrendPoint, trendChart } from "./trend-geometry";

const point = (day: string, score: number, signage: number | null = 0.5): TrendPoint => ({
  day,
  score,
  signage,
  consent: null,
  alternatives: 1,
});

describe("the regulator's trend chart", () => {
  it("says there is not enough data yet for no day or one day (a lone point drew nothing)", () => {
    expect(trendChart([])).toEqual({ state: "notEnoughData", points: [] });
    expect(trendChart([point("2026-03-01", 72)])).toMatchObject({ state: "notEnoughData", points: [{ score: 72 }] });
  });

  it("draws two days and more, placed by date, with the first, middle and last day under the axis", () => {
    const chart = trendChart([point("2026-03-11", 50), point("2026-03-01", 100), point("2026-03-02", 0)]);
    if (chart.state !== "chart") throw new Error(chart.state);
    const score = chart.lines.find((line) => line.key === "score");
    // Sorted by day; the second day is a tenth of the way along, not half.
    expect(score?.dots.map((dot) => dot.x)).toEqual([TREND_BOX.left, 90, TREND_BOX.right]);
    expect(score?.dots.map((dot) => dot.y)).toEqual([TREND_BOX.top, TREND_BOX.bottom, 87]);
    expect(chart.xTicks.map((tick) => [tick.day, tick.anchor])).toEqual([
      ["2026-03-01", "start"],
      ["2026-03-06", "middle"],
      ["2026-03-11", "end"],
    ]);
    expect(chart.yTicks.map((tick) => tick.value)).toEqual([0, 25, 50, 75, 100]);
    // Coverage is a share, drawn as a percentage; a series without values draws nothing.
    expect(chart.lines.find((line) => line.key === "alternatives")?.dots.every((d) => d.y === TREND_BOX.top)).toBe(
      true,
    );
    expect(chart.lines.find((line) => line.key === "consent")?.segments).toEqual([]);
  });

  it("breaks a line where a day has no value instead of drawing it at zero", () => {
    const chart = trendChart([point("2026-03-01", 80), point("2026-03-02", 80, null), point("2026-03-03", 80)]);
    if (chart.state !== "chart") throw new Error(chart.state);
    const signage = chart.lines.find((line) => line.key === "signage");
    expect(signage?.segments).toHaveLength(2);
    expect(signage?.dots).toHaveLength(2);
    expect(chart.xTicks.map((tick) => tick.day)).toEqual(["2026-03-01", "2026-03-02", "2026-03-03"]);
  });
});
