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
  /** Resolves true once the part serves; polled until `readyWithinMs` (at start and after each restart). */
  ready: (part: Part) => Promise<boolean>;
  readyWithinMs: number;
};

export type Part = {
  spec: PartSpec;
  /** The running process; a new one after each restart. */
  child: ChildProcess;
  /** The last lines it printed, for the one-line reason when it fails. */
  tail: string[];
  /** True once it was ready the first time: from then on an exit means a restart, not a failure. */
  isReady: boolean;
  /** How often it was restarted. */
  restarts: number;
};

/** Restart delays: `initialMs`, doubling up to `maxMs`; back to `initialMs` after `resetAfterMs` up. */
export type Backoff = { initialMs: number; maxMs: number; resetAfterMs: number };
export const DEMO_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };

export class PartFailed extends Error {
  constructor(
    readonly part: string,
    reason: string,
  ) {
    super(`${part}: ${reason}`);
  }
}

/** What the supervisor knows of one part beyond what callers see. */
type Supervised = Part & {
  /** Restarts in a row without `resetAfterMs` up in between: the next delay is initialMs × 2^this. */
  crashes: number;
  readyAt?: number;
  release: () => void;
  /** Why the supervisor itself ended the current process (not ready after a restart). */
  endedBecause?: string;
  restartTimer?: NodeJS.Timeout;
};

const formatDelay = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/**
 * A supervisor, not a fuse. Starts processes in their own process groups with their output
 * prefixed by name and waits until each says it is up. A part that exits or does not become ready
 * before it was ever up failed to start: that is one PartFailed and the caller stops everything.
 * A part that was up and exits is restarted after a growing delay (DEMO_BACKOFF), with a one-line
 * notice; it is never given up on. Only stop() (Ctrl-C) ends the others.
 */
export class Parts {
  private readonly parts: Supervised[] = [];
  private stopping = false;
  private failure: ((error: PartFailed) => void) | undefined;
  /** Rejects with the first part that fails to start (exits or is not ready before it was ever up). */
  readonly failed = new Promise<never>((_, reject) => {
    this.failure = reject;
  });
  private readonly backoff: Backoff;
  private readonly log: (line: string) => void;

  constructor(options: { backoff?: Partial<Backoff>; log?: (line: string) => void } = {}) {
    this.failed.catch(() => {}); // observed by whoever awaits it
    this.backoff = { ...DEMO_BACKOFF, ...options.backoff };
    this.log = options.log ?? ((line) => console.log(line));
  }

  start(spec: PartSpec): Part {
    const part: Supervised = {
      spec,
      child: undefined as unknown as ChildProcess,
      tail: [],
      isReady: false,
      restarts: 0,
      crashes: 0,
      release: () => {},
    };
    this.spawn(part);
    this.parts.push(part);
    return part;
  }

  private spawn(part: Supervised) {
    const { spec } = part;
    const child = spawn(spec.command, spec.args, {
      cwd: root,
      env: spec.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    part.child = child;
    part.readyAt = undefined;
    part.endedBecause = undefined;
    // Even a demo that is killed outright takes its parts with it.
    part.release = killWithParent(child, "SIGTERM", { group: true });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on("line", (line) => {
        part.tail.push(line);
        if (part.tail.length > TAIL_LINES) part.tail.shift();
        if (!this.stopping) this.log(`[${spec.name}] ${line}`);
      });
    }
    let ended = false;
    const end = (reason: string) => {
      if (ended || this.stopping) return;
      ended = true;
      if (part.isReady) this.restartLater(part, child, reason);
      else this.fail(part, reason);
    };
    child.on("error", (error) => end(`could not start ${spec.command}: ${error.message}`));
    child.on("exit", (code, signal) => end(`exited (${signal ?? `code ${code}`}): ${lastWords(part.tail)}`));
    if (part.isReady) void this.awaitReadyAgain(part, child);
  }

  /** After a crash: clear what is left of the old process group, wait, start it again. */
  private restartLater(part: Supervised, child: ChildProcess, reason: string) {
    if (child.pid) {
      try {
        process.kill(-child.pid, "SIGKILL"); // its own children may have outlived it
      } catch {} // already gone
    }
    part.release();
    const upFor = part.readyAt === undefined ? 0 : performance.now() - part.readyAt;
    if (upFor >= this.backoff.resetAfterMs) part.crashes = 0;
    const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** part.crashes);
    part.crashes++;
    this.log(`✗ ${part.spec.name} ${part.endedBecause ?? reason} — restarting in ${formatDelay(delay)}`);
    part.restartTimer = setTimeout(() => {
      part.restartTimer = undefined;
      if (this.stopping) return;
      part.restarts++;
      part.tail.length = 0;
      this.spawn(part);
    }, delay);
  }

  /** A restarted part that does not come up in time is ended, and so restarted again later. */
  private async awaitReadyAgain(part: Supervised, child: ChildProcess) {
    const deadline = performance.now() + part.spec.readyWithinMs;
    while (!this.stopping && part.child === child && child.exitCode === null && child.signalCode === null) {
      if (await part.spec.ready(part).catch(() => false)) {
        if (part.child === child && !this.stopping) {
          part.readyAt = performance.now();
          this.log(`✓ ${part.spec.name} is up again`);
        }
        return;
      }
      if (performance.now() > deadline) {
        part.endedBecause = `not ready within ${Math.round(part.spec.readyWithinMs / 1000)} s after its restart: ${lastWords(part.tail)}`;
        stopGroup(child, "SIGKILL");
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Resolves when every part is ready; rejects with the first that fails or is not up in time. */
  async waitUntilReady(): Promise<void> {
    await Promise.race([this.failed, Promise.all(this.parts.map((part) => this.waitFor(part)))]);
  }

  private async waitFor(part: Supervised) {
    const deadline = Date.now() + part.spec.readyWithinMs;
    while (!this.stopping && !part.isReady) {
      const child = part.child;
      const ready = await part.spec.ready(part).catch(() => false);
      // A process that exited meanwhile is not the one that answered.
      if (ready && child.exitCode === null && child.signalCode === null) {
        part.isReady = true;
        part.readyAt = performance.now();
        return;
      }
      if (Date.now() > deadline) {
        const seconds = Math.round(part.spec.readyWithinMs / 1000);
        const error = new PartFailed(part.spec.name, `not ready within ${seconds} s: ${lastWords(part.tail)}`);
        this.failure?.(error);
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private fail(part: Part, reason: string) {
    this.failure?.(new PartFailed(part.spec.name, reason));
  }

  /** No more restarts; SIGTERM to every group, SIGKILL to what is still there after a grace period. */
  async stop() {
    this.stopping = true;
    for (const part of this.parts) clearTimeout(part.restartTimer);
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
