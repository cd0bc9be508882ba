import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Each case runs src/testing/fixture.ts in a real process, the way the services run (tsx), and
// reads its pino lines and exit code.

const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const fixture = fileURLToPath(new URL("./testing/fixture.ts", import.meta.url));
const LIMIT_MS = 20_000;

type Line = { level: number; msg: string; [field: string]: unknown };
const INFO = 30;
const WARN = 40;
const ERROR = 50;
const FATAL = 60;

function runFixture(mode: string) {
  const child = spawn(tsx, [fixture, mode], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  let exited = false;
  void exit.then(() => (exited = true));
  const lines = (): Line[] =>
    stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Line);
  const output = () => `${stdout}${stderr}`;
  return {
    lines,
    output,
    exit,
    signal: (signal: NodeJS.Signals) => child.kill(signal),
    /** The first line with this message, once it is there. */
    async waitFor(msg: string): Promise<Line> {
      const deadline = Date.now() + LIMIT_MS;
      for (;;) {
        const line = lines().find((l) => l.msg === msg);
        if (line) return line;
        if (exited || Date.now() > deadline) throw new Error(`no "${msg}" line:\n${output()}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
  };
}

const closed = (lines: Line[]) => lines.filter((l) => l.msg === "closing").map((l) => l.step);

describe.concurrent("runService", () => {
  it("logs ready with the describe fields; SIGTERM closes everything, last built first, and exits 0", async () => {
    const run = runFixture("serve");
    const ready = await run.waitFor("fixture ready");
    expect(ready).toMatchObject({ level: INFO, port: 1234 });
    run.signal("SIGTERM");
    expect(await run.exit, run.output()).toBe(0);
    const lines = run.lines();
    expect(lines.find((l) => l.msg === "fixture shutting down")).toMatchObject({ signal: "SIGTERM" });
    expect(closed(lines)).toEqual(["worker", "database"]);
    expect(lines.at(-1), run.output()).toMatchObject({ msg: "fixture stopped", exitCode: 0 });
    expect(lines.filter((l) => l.level >= WARN)).toEqual([]);
  });

  it("exits 1 and says so when closing takes longer than the cap", async () => {
    const run = runFixture("hang-close");
    await run.waitFor("fixture ready");
    const sentAt = Date.now();
    run.signal("SIGTERM");
    expect(await run.exit, run.output()).toBe(1);
    expect(Date.now() - sentAt).toBeLessThan(5_000);
    const lines = run.lines();
    expect(lines.at(-1)).toMatchObject({
      level: ERROR,
      msg: "fixture did not stop within 500 ms; exiting",
      timeoutMs: 500,
    });
    expect(lines.some((l) => l.msg === "fixture stopped")).toBe(false);
  });

  it("logs a close step that throws, still runs the next one, and exits 1", async () => {
    const run = runFixture("throw-close");
    await run.waitFor("fixture ready");
    run.signal("SIGTERM");
    expect(await run.exit, run.output()).toBe(1);
    const lines = run.lines();
    expect(lines.find((l) => l.msg === "fixture could not close the worker")).toMatchObject({
      level: ERROR,
      step: "worker",
      err: { message: "worker close exploded" },
    });
    expect(closed(lines)).toEqual(["worker", "database"]);
    expect(lines.at(-1)).toMatchObject({ msg: "fixture stopped", exitCode: 1 });
  });

  it("logs fatal naming the error when start throws, closes what was built, exits 1, and leaks no password", async () => {
    const run = runFixture("throw-start");
    expect(await run.exit, run.output()).toBe(1);
    const lines = run.lines();
    expect(lines.find((l) => l.level === FATAL)).toMatchObject({
      msg: "fixture could not start",
      err: { type: "Error", message: "redis unreachable" },
    });
    expect(closed(lines)).toEqual(["database"]);
    expect(lines.some((l) => l.msg === "fixture ready")).toBe(false);
    expect(run.output()).not.toContain("hunter2");
  });

  it("treats a readiness failure as a failed start: fatal, close, exit 1", async () => {
    const run = runFixture("fail-ready");
    expect(await run.exit, run.output()).toBe(1);
    const lines = run.lines();
    expect(lines.find((l) => l.level === FATAL)).toMatchObject({
      msg: "fixture could not start",
      err: { message: "queue not reachable" },
    });
    expect(closed(lines)).toEqual(["worker", "database"]);
    expect(lines.some((l) => l.msg === "fixture ready")).toBe(false);
  });

  it("exits at once on a second SIGINT while closing", async () => {
    const run = runFixture("slow-close"); // its worker takes 10 s to close
    await run.waitFor("fixture ready");
    run.signal("SIGINT");
    await run.waitFor("fixture shutting down");
    const sentAt = Date.now();
    run.signal("SIGINT");
    expect(await run.exit, run.output()).toBe(1);
    expect(Date.now() - sentAt).toBeLessThan(3_000);
    const lines = run.lines();
    expect(lines.at(-1)).toMatchObject({
      level: WARN,
      msg: "fixture got SIGINT while stopping; exiting now",
      signal: "SIGINT",
    });
    expect(closed(lines)).toEqual(["worker"]);
  });

  it.each([
    ["reject-later", "unhandled rejection", "lost the lease"],
    ["throw-later", "uncaught exception", "frame decoder blew up"],
  ])("%s: logs fatal, closes everything and exits 1", async (mode, origin, message) => {
    const run = runFixture(mode);
    await run.waitFor("fixture ready");
    expect(await run.exit, run.output()).toBe(1);
    const lines = run.lines();
    expect(lines.find((l) => l.level === FATAL)).toMatchObject({ msg: "fixture crashed", origin, err: { message } });
    expect(closed(lines)).toEqual(["worker", "database"]);
    expect(lines.at(-1)).toMatchObject({ msg: "fixture stopped", exitCode: 1 });
  });
});
