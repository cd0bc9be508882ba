// Child processes of the service bootstrap and the demo: stopping them, and never leaving them behind.
import { type ChildProcess, spawn } from "node:child_process";
import net from "node:net";

const KILL_GRACE_MS = 5_000;

/** A server in use: one that already answered (nothing to stop), or one we started. */
export type Service = { url: string; name?: undefined; stop?: undefined } | StartedService;
export type StartedService = { name: string; url: string; stop: () => Promise<void> };

/** True while the child runs; a spawn that failed has no pid. */
export function isRunning(child: ChildProcess): boolean {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the child has exited. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/**
 * Sends `signal` to the child when this process goes, however it goes.
 *
 * The 'exit' handler covers normal exits. A parent killed by a signal or crashing skips it, so a detached
 * watchdog shell also waits for its stdin pipe from us to close (which the kernel does when we die).
 * With `group`, the child leads its own process group (spawned detached) and the whole group goes, even
 * after the leader itself has exited (its children may live on). Returns a release for a group
 * known to be gone (a supervisor restarting a part): without it each restart would leave a
 * watchdog shell and an 'exit' listener behind.
 */
export function killWithParent(child: ChildProcess, signal: NodeJS.Signals, { group = false } = {}): () => void {
  if (child.pid === undefined) return () => {}; // it did not start: nothing to kill
  const target = group ? -child.pid : child.pid;
  const onExit = () => {
    try {
      process.kill(target, signal);
    } catch {} // already gone
  };
  process.on("exit", onExit);
  if (!group) child.once("exit", () => process.off("exit", onExit));
  if (process.platform === "win32") return () => process.off("exit", onExit);
  const kill = signal.replace("SIG", "");
  // dash's kill takes no `--`; `kill -TERM -123` signals process group 123.
  const script = group
    ? `read _; kill -${kill} ${target}; sleep 2; kill -KILL ${target}`
    : `read _; kill -${kill} ${target}`;
  const watchdog = spawn("/bin/sh", ["-c", `${script} 2>/dev/null`], {
    stdio: ["pipe", "ignore", "ignore"],
    detached: true,
  });
  watchdog.on("error", () => {});
  watchdog.unref();
  // The pipe is a socket: unref it, or it would keep us alive.
  (watchdog.stdin as Partial<net.Socket>).unref?.();
  if (!group) child.once("exit", () => watchdog.kill("SIGKILL"));
  return () => {
    process.off("exit", onExit);
    watchdog.kill("SIGKILL");
  };
}

/** A free TCP port on 127.0.0.1: `preferred` if it is free, else any. */
export function freePort(preferred = 0): Promise<number> {
  return listenOnce(preferred).catch((err: unknown) => {
    if (preferred === 0) throw err;
    return listenOnce(0);
  });
}

function listenOnce(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/** The URL with its password replaced by `***`, for log lines. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return String(url).replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }
}

export type OutputTail = {
  /** Takes a chunk of output, a message or an Error. */
  push: (chunk: unknown) => void;
  text: () => string;
};

/** Keeps the last lines a child printed, for error messages. */
export function outputTail(max = 30): OutputTail {
  const lines: string[] = [];
  return {
    push: (chunk) => {
      lines.push(
        ...String((chunk as { message?: unknown } | null | undefined)?.message ?? chunk)
          .split("\n")
          .filter((l) => l.trim()),
      );
      lines.splice(0, Math.max(0, lines.length - max));
    },
    text: () => lines.join("\n"),
  };
}

/** Rejects with `message` when `promise` has not settled within `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
