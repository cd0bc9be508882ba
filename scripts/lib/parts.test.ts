// The demo's process supervision, with real processes: a part that fails is named with its
// reason, readiness is awaited, and nothing outlives the demo, even when the demo is SIGKILLed.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lastWords, PartFailed, type PartSpec, Parts } from "./parts";

const node = (script: string, extra: Partial<PartSpec> = {}): PartSpec => ({
  name: "test part",
  command: process.execPath,
  args: ["-e", script],
  env: process.env,
  ready: async () => true,
  readyWithinMs: 5_000,
  ...extra,
});

/** Running, and not a zombie (an orphan's exit may never be reaped in a container). */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
};

async function waitFor(check: () => boolean | Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("Parts", () => {
  it("names a part that exits on start, with its last error line", async () => {
    const parts = new Parts();
    parts.start(node("setInterval(() => {}, 1000)", { name: "web app", ready: async () => false }));
    parts.start(
      node(
        `console.log(JSON.stringify({ level: 60, msg: "could not load the face models", err: "fr_detect.onnx missing" })); process.exit(3)`,
        { name: "inference worker", ready: async () => false },
      ),
    );
    const error = await parts.waitUntilReady().catch((e: unknown) => e);
    await parts.stop();
    expect(error).toBeInstanceOf(PartFailed);
    expect((error as PartFailed).part).toBe("inference worker");
    expect((error as Error).message).toBe(
      "inference worker: exited (code 3): could not load the face models: fr_detect.onnx missing",
    );
  });

  it("waits for every part, and names one that is not ready in time", async () => {
    const parts = new Parts();
    let polls = 0;
    parts.start(node("setInterval(() => {}, 1000)", { name: "slow", ready: async () => ++polls >= 3 }));
    await parts.waitUntilReady();
    expect(polls).toBe(3);
    parts.start(
      node("console.log('still warming up'); setInterval(() => {}, 1000)", {
        name: "gateway",
        ready: async () => false,
        readyWithinMs: 1_000,
      }),
    );
    await expect(parts.waitUntilReady()).rejects.toThrow("gateway: not ready within 1 s: still warming up");
    await parts.stop();
  });

  it("reports a part that dies after it was ready, and stop() ends whole process groups", async () => {
    const parts = new Parts();
    // A part whose own child would outlive it without the group kill.
    const dir = await mkdtemp(path.join(os.tmpdir(), "consentry-parts-"));
    const pidFile = path.join(dir, "grandchild.pid");
    parts.start(
      node(
        `const c = require("node:child_process").spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
         require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(c.pid)); setInterval(() => {}, 1000)`,
        { name: "simulator" },
      ),
    );
    const crashing = parts.start(node("setTimeout(() => { console.error('Error: boom'); process.exit(1) }, 300)"));
    await parts.waitUntilReady();
    await expect(parts.failed).rejects.toThrow("test part: exited (code 1): Error: boom");
    expect(crashing.child.exitCode).toBe(1);
    await waitFor(async () => (await readFile(pidFile, "utf8").catch(() => "")) !== "");
    const grandchild = Number(await readFile(pidFile, "utf8"));
    expect(alive(grandchild)).toBe(true);
    await parts.stop();
    await waitFor(() => !alive(grandchild));
    await rm(dir, { recursive: true, force: true });
  });

  it("takes its parts along when the supervising process is SIGKILLed", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "consentry-parts-"));
    const pidFile = path.join(dir, "part.pid");
    const supervisor = `
      import { Parts } from ${JSON.stringify(path.join(import.meta.dirname, "parts.ts"))};
      const parts = new Parts();
      const part = parts.start({ name: "p", command: process.execPath, args: ["-e", "setInterval(() => {}, 1000)"],
        env: process.env, ready: async () => true, readyWithinMs: 5000 });
      await parts.waitUntilReady();
      (await import("node:fs")).writeFileSync(${JSON.stringify(pidFile)}, process.pid + " " + part.child.pid);
      setInterval(() => {}, 1000);`;
    const tsx = path.join(import.meta.dirname, "../../node_modules/.bin/tsx");
    const child = spawn(tsx, ["--input-type=module", "-e", supervisor], { stdio: "ignore" });
    await waitFor(async () => (await readFile(pidFile, "utf8").catch(() => "")) !== "", 20_000);
    const [scriptPid, partPid] = (await readFile(pidFile, "utf8")).split(" ").map(Number) as [number, number];
    expect(alive(partPid)).toBe(true);
    // tsx runs the script in a child process of its own: that is the one to kill outright.
    process.kill(scriptPid, "SIGKILL");
    await waitFor(() => !alive(partPid));
    child.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }, 30_000);
});

describe("lastWords", () => {
  it("prefers a pino error's message, then a line about an error, then the last line", () => {
    expect(
      lastWords(['{"level":30,"msg":"ready"}', '{"level":50,"msg":"worker error","err":{"message":"ECONNREFUSED"}}']),
    ).toBe("worker error: ECONNREFUSED");
    expect(
      lastWords(["starting", "Error: listen EADDRINUSE: address already in use :::3000", "    at Server.listen"]),
    ).toBe("Error: listen EADDRINUSE: address already in use :::3000");
    expect(lastWords(["", "bye"])).toBe("bye");
    expect(lastWords([])).toBe("no output");
  });
});
