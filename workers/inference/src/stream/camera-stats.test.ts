import { fallsBehind } from "@consentry/queue";
import { expect, it } from "vitest";
import { CameraStats } from "./camera-stats";

it("reports the share of the last 10 s's frames that were dropped, and forgets older drops", () => {
  const start = 1_000_000;
  const stats = new CameraStats("camera", start);
  expect(stats.snapshot(start).droppedShare).toBeNull();
  // 5 fps for 10 s, one frame in ten dropped.
  for (let i = 0; i < 50; i++) {
    const at = start + i * 200;
    if (i % 10 === 9) stats.dropped(at);
    else stats.analyzed(30, 0, at);
  }
  const busy = stats.snapshot(start + 10_000);
  expect(busy.framesDropped).toBe(5);
  expect(busy.droppedShare).toBe(0.1);
  expect(fallsBehind(busy)).toBe(true);

  // The next 10 s keep up: the share falls to zero while the total stays.
  for (let i = 50; i < 100; i++) stats.analyzed(30, 0, start + i * 200);
  const calm = stats.snapshot(start + 20_000);
  expect(calm.framesDropped).toBe(5);
  expect(calm.droppedShare).toBe(0);
  expect(fallsBehind(calm)).toBe(false);
});

it("falls behind only above 1 %, and not at all for a worker that does not report the share", () => {
  expect(fallsBehind({ droppedShare: 0.01 })).toBe(false);
  expect(fallsBehind({ droppedShare: 0.0101 })).toBe(true);
  expect(fallsBehind({ droppedShare: null })).toBe(false);
  expect(fallsBehind({})).toBe(false);
});
