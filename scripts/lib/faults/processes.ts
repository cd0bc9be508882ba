// The fault suite's processes: a private redis-server it can restart empty, and worker processes
// it can SIGKILL. Each worker runs in its own process group, so npx, tsx and node die together.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { Redis } from "ioredis";
import { freePort } from "../processes";
import { detectSystem, locateProgram, missingMessage, SYSTEM_PROGRAMS } from "../programs.mjs";
import { root } from "../run";

const execFileAsync = promisify(execFile);

/** A private redis-server without persistence: a restart loses everything, as a crashed cache would. */
export class PrivateRedis {
  private child: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  get url() {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    const args = ["--bind", "127.0.0.1", "--port", String(this.port), "--save", "", "--appendonly", "no"];
    const bin = locateProgram(SYSTEM_PROGRAMS["redis-server"]);
    if (!bin) throw new Error(missingMessage(["redis-server"], detectSystem()));
    const child = spawn(bin, args, { stdio: "ignore" });
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis({ port: this.port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => null });
      client.on("error", () => {});
      try {
        await client.connect();
        if ((await client.ping()) === "PONG") return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${this.port}: ${error}`);
      } finally {
        client.disconnect();
      }
      await sleep(100);
    }
  }

  /** For a process 'exit' handler: no waiting. */
  killNow(): void {
    this.child?.kill("SIGKILL");
  }

  /** SIGKILL: nothing is saved, and clients see their connections drop. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
}

export type Worker = { name: string; child: ChildProcess; log: string[] };

/** `npm start` of a workspace in its own process group; its output is kept (last 200 lines) for failures. */
export function startWorker(name: string, workspace: string, env: NodeJS.ProcessEnv): Worker {
  const child = spawn("npm", ["start", "-w", workspace], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const log: string[] = [];
  const keep = (chunk: Buffer) => {
    log.push(...chunk.toString().split("\n").filter(Boolean));
    log.splice(0, Math.max(0, log.length - 200));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { name, child, log };
}

export function isAlive(worker: Worker): boolean {
  return worker.child.exitCode === null && worker.child.signalCode === null;
}

/** SIGKILLs the worker's whole process group and waits until its leader has exited. */
export async function killWorker(worker: Worker, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (!worker.child.pid || !isAlive(worker)) return;
  const exited = new Promise((resolve) => worker.child.once("exit", resolve));
  try {
    process.kill(-worker.child.pid, signal);
  } catch {
    return; // the group is gone already
  }
  await exited;
}

/** For a process 'exit' handler: SIGKILLs the worker's group without waiting. */
export function killWorkerNow(worker: Worker): void {
  try {
    if (worker.child.pid && isAlive(worker)) process.kill(-worker.child.pid, "SIGKILL");
  } catch {
    // gone already
  }
}

/** ffmpeg processes reading each simulated camera's stream (from the process table), by camera index. */
export async function ffmpegReaders(simPort: number, indexes: number[]): Promise<Map<number, number>> {
  const { stdout } = await execFileAsync("ps", ["-eo", "args="]);
  const counts = new Map(indexes.map((index) => [index, 0]));
  const pattern = new RegExp(`-i rtsp://[^ ]*:${simPort}/cam(\\d+)`);
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("ffmpeg") || !line.includes("rawvideo")) continue;
    const index = Number(line.match(pattern)?.[1]);
    if (counts.has(index)) counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

/** How many ffmpeg readers of the simulator each process group runs (a worker's group is its leader's pid). */
export async function readersByGroup(simPort: number): Promise<Map<number, number>> {
  const { stdout } = await execFileAsync("ps", ["-eo", "pgid=,args="]);
  const groups = new Map<number, number>();
  for (const line of stdout.split("\n")) {
    const match = line.trim().match(/^(\d+) (ffmpeg .*)$/);
    if (!match?.[2]?.includes("rawvideo") || !match[2].includes(`:${simPort}/cam`)) continue;
    const pgid = Number(match[1]);
    groups.set(pgid, (groups.get(pgid) ?? 0) + 1);
  }
  return groups;
}

/**
 * Samples the ffmpeg readers every 200 ms in the background: the seconds in which some camera had
 * two readers (each such second counted once), and the readers last seen.
 */
export function watchReaders(simPort: number, indexes: number[]) {
  const doubleSeconds = new Set<number>();
  let last = new Map<number, number>();
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      last = await ffmpegReaders(simPort, indexes).catch(() => last);
      if ([...last.values()].some((count) => count > 1)) doubleSeconds.add(Math.floor(Date.now() / 1000));
      await sleep(200);
    }
  })();
  return {
    /** Seconds with two readers on one camera since `since` (ms epoch). */
    doubleSince: (since: number) => [...doubleSeconds].filter((s) => s >= Math.floor(since / 1000)).length,
    current: () => last,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

export const workspaceDir = (workspace: string) => path.join(root, workspace);
