// For tests that run real inference workers as child processes (failover, one analyser per camera).
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

/** Inference workers started as `npm start` would, each in its own process group. */
export function workerProcesses() {
  const children: ChildProcess[] = [];
  return {
    /** Starts one worker with the test's environment plus `env` (DATABASE_URL, QUEUE_PREFIX, …). */
    start(env: Record<string, string>) {
      const child = spawn("npx", ["tsx", "src/main.ts"], {
        cwd: join(import.meta.dirname, ".."),
        // biome-ignore lint/style/noProcessEnv: the child needs PATH and the rest of the test's environment
        env: { ...process.env, INFERENCE_MAX_CAMERAS: "2", LOG_LEVEL: "warn", ...env },
        stdio: "ignore",
        // Its own process group: npx, tsx and node are all ended together afterwards.
        detached: true,
      });
      children.push(child);
      return child;
    },
    /** SIGKILLs every worker's group: killing only npx would leave the node process under it running. */
    killAll() {
      for (const child of children) {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // That group is gone already (a killed worker's npx exits with it).
        }
      }
    },
  };
}
