// The demo's process supervision, with real processes: a part that fails to start is named with
// its reason and stops the run, one that crashes later is restarted with a growing delay, and
// nothing outlives the demo, whether it is stopped by a signal or SIGKILLed.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { lastWords, PartFailed, type PartSpec, Parts } from "./parts";
import { stopGroup } from "./run";

/** Quick restarts for tests; the demo waits 1 s, 2 s, 4 s … 30 s. */
const quick = { initialMs: 100, maxMs: 400, resetAfterMs: 60_000 };

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

  it("restarts a part that exits after it was ready, saying so, and stop() ends whole process groups", async () => {
    const notices: string[] = [];
    const parts = new Parts({ backoff: quick, log: (line) => notices.push(line) });
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
    const crashing = parts.start(
      node("setTimeout(() => { console.error('Error: boom'); process.exit(1) }, 300)", { name: "ops worker" }),
    );
    await parts.waitUntilReady();
    const firstPid = crashing.child.pid;
    await waitFor(() => crashing.restarts >= 1 && crashing.child.pid !== firstPid);
    expect(notices).toContain("✗ ops worker exited (code 1): Error: boom — restarting in 100 ms");
    expect(alive(crashing.child.pid as number)).toBe(true);
    // The run goes on: no failure is reported for a part that was up once.
    expect(
      await Promise.race([
        parts.failed.then(
          () => "failed",
          () => "failed",
        ),
        Promise.resolve("running"),
      ]),
    ).toBe("running");
    await waitFor(async () => (await readFile(pidFile, "utf8").catch(() => "")) !== "");
    const grandchild = Number(await readFile(pidFile, "utf8"));
    expect(alive(grandchild)).toBe(true);
    await parts.stop();
    await waitFor(() => !alive(grandchild));
    await rm(dir, { recursive: true, force: true });
  });

  it("waits longer before each restart, up to a cap, and starts again from the shortest after a long run", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "consentry-parts-"));
    const runs = path.join(dir, "runs");
    // Runs 1-4 crash at once; run 5 stays up past resetAfterMs before it crashes; run 6 crashes at once.
    const script = `const fs = require("node:fs"); fs.appendFileSync(${JSON.stringify(runs)}, Date.now() + "\\n");
      const run = fs.readFileSync(${JSON.stringify(runs)}, "utf8").trim().split("\\n").length;
      setTimeout(() => process.exit(2), run === 5 ? 800 : 50)`;
    const notices: string[] = [];
    const parts = new Parts({ backoff: { ...quick, resetAfterMs: 500 }, log: (line) => notices.push(line) });
    const part = parts.start(node(script, { name: "gateway" }));
    await parts.waitUntilReady();
    const crashes = () => notices.filter((line) => line.startsWith("✗ gateway exited (code 2)"));
    await waitFor(() => crashes().length >= 6, 20_000);
    await parts.stop();
    expect(part.restarts).toBeGreaterThanOrEqual(5);
    const delays = crashes().map((line) => /restarting in (\d+) ms$/.exec(line)?.[1]);
    expect(delays.slice(0, 6)).toEqual(["100", "200", "400", "400", "100", "200"]);
    // The gaps between starts are at least the announced delays.
    const starts = (await readFile(runs, "utf8")).trim().split("\n").map(Number);
    const gaps = starts.slice(1).map((at, i) => at - (starts[i] as number));
    expect(gaps[0]).toBeGreaterThanOrEqual(100 + 50 - 20);
    expect(gaps[1]).toBeGreaterThanOrEqual(200 + 50 - 20);
    expect(gaps[2]).toBeGreaterThanOrEqual(400 + 50 - 20);
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it("does not restart a part that never became ready: the run stops", async () => {
    const parts = new Parts({ backoff: quick, log: () => {} });
    const part = parts.start(
      node("console.error('Error: port taken'); setTimeout(() => process.exit(3), 100)", {
        name: "gateway",
        ready: async () => false,
      }),
    );
    await expect(parts.failed).rejects.toThrow("gateway: exited (code 3): Error: port taken");
    await new Promise((resolve) => setTimeout(resolve, 400)); // longer than the first restart delay
    expect(part.restarts).toBe(0);
    expect(part.child.exitCode).toBe(3);
    await parts.stop();
  });

  it("ends and restarts a restarted part that is not ready again in time", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "consentry-parts-"));
    const marker = JSON.stringify(path.join(dir, "crashed"));
    // The first run crashes once it was ready; later runs hang without ever answering.
    const script = `const fs = require("node:fs"); console.log("listening");
      if (fs.existsSync(${marker})) setInterval(() => {}, 1000);
      else { fs.writeFileSync(${marker}, ""); setTimeout(() => process.exit(1), 200); }`;
    const notices: string[] = [];
    const parts = new Parts({ backoff: quick, log: (line) => notices.push(line) });
    let answers = 1; // ready once, at start; never again
    const part = parts.start(node(script, { name: "web app", ready: async () => answers-- > 0, readyWithinMs: 1_000 }));
    await parts.waitUntilReady();
    await waitFor(() => part.restarts >= 2, 10_000);
    await parts.stop();
    expect(notices).toContain("✗ web app not ready within 1 s after its restart: listening — restarting in 200 ms");
    await rm(dir, { recursive: true, force: true });
  }, 15_000);

  it("stops every part, and restarts none, when the supervisor gets SIGTERM (Ctrl-C likewise)", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "consentry-parts-"));
    const pids = path.join(dir, "pids");
    const record = `require("node:fs").appendFileSync(${JSON.stringify(pids)}, process.pid + "\\n")`;
    // As scripts/demo.ts does: on SIGINT/SIGTERM, stop the parts, then exit.
    const supervisor = `
      import { Parts } from ${JSON.stringify(path.join(import.meta.dirname, "parts.ts"))};
      const parts = new Parts({ backoff: { initialMs: 300, maxMs: 300 }, log: () => {} });
      for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => void parts.stop().then(() => process.exit(0)));
      const part = (name, script) => parts.start({ name, command: process.execPath, args: ["-e", script],
        env: process.env, ready: async () => true, readyWithinMs: 5000 });
      part("steady", ${JSON.stringify(`${record}; setInterval(() => {}, 1000)`)});
      part("crashing", ${JSON.stringify(`${record}; setTimeout(() => process.exit(1), 100)`)});
      await parts.waitUntilReady();
      setInterval(() => {}, 1000);`;
    const tsx = path.join(import.meta.dirname, "../../node_modules/.bin/tsx");
    const child = spawn(tsx, ["--input-type=module", "-e", supervisor], { stdio: "ignore", detached: true });
    onTestFinished(() => stopGroup(child, "SIGKILL")); // should the test fail half-way
    const started = async () => (await readFile(pids, "utf8").catch(() => "")).trim().split("\n").filter(Boolean);
    // The crashing part has been restarted at least once: the steady one and two of the other.
    await waitFor(async () => (await started()).length >= 3, 20_000);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const all = (await started()).map(Number);
    for (const pid of all) expect(alive(pid)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 600)); // past a pending restart
    expect((await started()).length).toBe(all.length);
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

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
