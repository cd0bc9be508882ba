import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { killWithParent } from "./processes";
import { root, stopGroup } from "./run";

const POLL_MS = 500;
const TAIL_LINES = 30;
/** Below the 3 s after which a supervisor of the demo may SIGKILL it (fresh-clone-check does). */
const STOP_GRACE_MS = 2_500;

/** One long-running process of the demo: how to start it and how to tell that it is up. */
export type PartSpec = {
  /** Printed before every line it writes and in every message about it, e.g. "web app". */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Resolves true once the part serves; polled until `readyWithinMs`. */
  ready: (part: Part) => Promise<boolean>;
  readyWithinMs: number;
};

export type Part = {
  spec: PartSpec;
  child: ChildProcess;
  /** The last lines it printed, for the one-line reason when it fails. */
  tail: string[];
  isReady: boolean;
};

export class PartFailed extends Error {
  constructor(
    readonly part: string,
    reason: string,
  ) {
    super(`${part}: ${reason}`);
  }
}

/**
 * Starts processes in their own process groups with their output prefixed by name, waits until
 * each says it is up, and turns any exit that was not asked for into one PartFailed.
 */
export class Parts {
  private readonly parts: Part[] = [];
  private stopping = false;
  private failure: ((error: PartFailed) => void) | undefined;
  /** Rejects with the first part that exits on its own (before or after it was ready). */
  readonly failed = new Promise<never>((_, reject) => {
    this.failure = reject;
  });

  constructor() {
    this.failed.catch(() => {}); // observed by whoever awaits it
  }

  start(spec: PartSpec): Part {
    const child = spawn(spec.command, spec.args, {
      cwd: root,
      env: spec.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const part: Part = { spec, child, tail: [], isReady: false };
    // Even a demo that is killed outright takes its parts with it.
    if (child.pid) killWithParent(child, "SIGTERM", { group: true });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        part.tail.push(line);
        if (part.tail.length > TAIL_LINES) part.tail.shift();
        if (!this.stopping) console.log(`[${spec.name}] ${line}`);
      });
    }
    child.on("error", (error) => this.fail(part, `could not start ${spec.command}: ${error.message}`));
    child.on("exit", (code, signal) => {
      if (!this.stopping) this.fail(part, `exited (${signal ?? `code ${code}`}): ${lastWords(part.tail)}`);
    });
    this.parts.push(part);
    return part;
  }

  /** Resolves when every part is ready; rejects with the first that fails or is not up in time. */
  async waitUntilReady(): Promise<void> {
    await Promise.race([this.failed, Promise.all(this.parts.map((part) => this.waitFor(part)))]);
  }

  private async waitFor(part: Part) {
    const deadline = Date.now() + part.spec.readyWithinMs;
    while (!this.stopping && !part.isReady) {
      part.isReady = await part.spec.ready(part).catch(() => false);
      if (part.isReady) return;
      if (Date.now() > deadline) {
        const seconds = Math.round(part.spec.readyWithinMs / 1000);
        throw new PartFailed(part.spec.name, `not ready within ${seconds} s: ${lastWords(part.tail)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private fail(part: Part, reason: string) {
    this.failure?.(new PartFailed(part.spec.name, reason));
  }

  /** SIGTERM to every group, SIGKILL to what is still there after a grace period. */
  async stop() {
    this.stopping = true;
    const running = this.parts.filter((part) => part.child.exitCode === null && part.child.signalCode === null);
    const exited = running.map((part) => new Promise((resolve) => part.child.once("exit", resolve)));
    for (const part of running) stopGroup(part.child);
    const timer = new Promise((resolve) => setTimeout(resolve, STOP_GRACE_MS));
    await Promise.race([Promise.all(exited), timer]);
    for (const part of running) stopGroup(part.child, "SIGKILL");
  }
}

/**
 * The most telling of a process's last lines: the message of its last pino error or fatal line,
 * else its last line that mentions an error, else its last line.
 */
export function lastWords(lines: string[]): string {
  const meaningful = lines.map((line) => line.trim()).filter(Boolean);
  for (const line of [...meaningful].reverse()) {
    const entry = parseJson(line);
    if (entry && typeof entry.level === "number" && entry.level >= 50) {
      const err = entry.err;
      const detail = typeof err === "string" ? err : (err as { message?: string } | undefined)?.message;
      return [entry.msg, detail].filter(Boolean).join(": ");
    }
  }
  const error = meaningful.findLast((line) => /error|cannot|could not|refus|missing|EADDRINUSE/i.test(line));
  return error ?? meaningful.at(-1) ?? "no output";
}

function parseJson(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** True when `url` answers 2xx within 2 s. */
export async function answers(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
  return response?.ok ?? false;
}
