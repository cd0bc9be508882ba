import { expect, it } from "vitest";
import { FaceTracker } from "./tracker";

const box = [100, 100, 160, 170] as const;
// Frame times are clock readings, never 0 (a checkedAt of 0 means never checked).
const START = 1_000_000;

it("re-checks a face that keeps matching nobody less and less often, and a recognised one every recheckMs", () => {
  const tracker = new FaceTracker({ recheckMs: 1000, forgetAfterMs: 60_000 });
  const track = tracker.update([{ box }], START)[0]?.track;
  if (!track) throw new Error("no track");
  const checks: number[] = [];
  for (let now = START; now <= START + 40_000; now += 100) {
    tracker.update([{ box }], now);
    if (!tracker.needsCheck(track, now)) continue;
    checks.push(now - START);
    track.checkedAt = now;
    track.misses++;
  }
  // Twice at 1 s, then 2 s, 4 s and 8 s apart, and 8 s from then on.
  expect(checks.slice(0, 7)).toEqual([0, 1000, 2000, 4000, 8000, 16_000, 24_000]);

  // A match resets the backoff; forgetting identities (a withdrawal) makes every face new again.
  track.misses = 0;
  expect(tracker.needsCheck(track, track.checkedAt + 1000)).toBe(true);
  track.misses = 5;
  expect(tracker.needsCheck(track, track.checkedAt + 1000)).toBe(false);
  tracker.forgetIdentities();
  expect(track.misses).toBe(0);
  expect(tracker.needsCheck(track, track.checkedAt + 1)).toBe(true);
});
