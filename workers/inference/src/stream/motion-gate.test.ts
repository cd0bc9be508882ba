import { describe, expect, it } from "vitest";
import { MotionGate } from "./motion-gate";

const WIDTH = 640;
const HEIGHT = 360;
const frame = (paint: (x: number, y: number) => number) => {
  const data = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) data.fill(paint(x, y), (y * WIDTH + x) * 3, (y * WIDTH + x) * 3 + 3);
  }
  return { data, width: WIDTH, height: HEIGHT };
};
// A corridor: a gradient, so that blocks differ from one another.
const still = (x: number, y: number) => (x + y) % 200;
// Noise of up to 2 grey levels on every pixel, as compression leaves it.
const noisy = (x: number, y: number) => Math.max(0, still(x, y) + ((x * 7 + y * 13) % 5) - 2);
/** A bright face of `size` pixels square with its top left corner at (left, top). */
const withFace = (left: number, top: number, size: number) =>
  frame((x, y) => (x >= left && y >= top && x < left + size && y < top + size ? 220 : still(x, y)));

describe("MotionGate", () => {
  it("detects on the first frame, skips still and noisy frames, and detects again once a second", () => {
    const gate = new MotionGate();
    expect(gate.changed(frame(still), 0)).toBe(true);
    expect(gate.changed(frame(still), 200)).toBe(false);
    expect(gate.changed(frame(noisy), 400)).toBe(false);
    // However still the scene, it is detected on at least once a second.
    expect(gate.changed(frame(still), 1000)).toBe(true);
  });

  it("detects a small face walking in anywhere, even at the frame's edge", () => {
    for (const [left, top] of [
      [0, 0],
      [600, 320],
      [300, 160],
    ] as const) {
      const gate = new MotionGate();
      gate.changed(frame(still), 0);
      const face = withFace(left, top, 32);
      expect(gate.changed(face, 200)).toBe(true);
      // The face became the reference: standing still, it is not detected on again at once.
      expect(gate.changed(face, 400)).toBe(false);
      // Leaving is a change too.
      expect(gate.changed(frame(still), 600)).toBe(true);
    }
  });

  it("compares with the last frame detected on, so a slow change adds up until it counts", () => {
    const gate = new MotionGate({ maxAgeMs: 60_000 });
    gate.changed(frame(still), 0);
    // Light that brightens one grey level a frame: each frame alone is within the threshold.
    const brighter = (levels: number) => frame((x, y) => still(x, y) + levels);
    const verdicts = [1, 2, 3, 4, 5].map((levels) => gate.changed(brighter(levels), levels * 200));
    expect(verdicts).toEqual([false, false, false, true, false]);
  });
});
