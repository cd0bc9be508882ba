import { type ChildProcess, spawn } from "node:child_process";
import { ensureDatabase, postgresAnswers } from "./postgres";
import { ensureServices } from "./services";

export const root = new URL("../..", import.meta.url).pathname;

/** Runs a command to completion with inherited output; resolves with its exit code. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Starts a long-running command in its own process group, so stopping it stops its children too. */
export function start(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, { cwd: root, stdio: "inherit", env, detached: true });
}

export function stopGroup(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM") {
  if (child.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

/**
 * PostgreSQL and Redis from DATABASE_URL / REDIS_URL when they answer (creating the database
 * if the server answers but the database is missing), else private ones under .data/.
 */
export async function services(defaults: { databaseUrl: string; redisUrl: string }) {
  const databaseUrl = process.env.DATABASE_URL ?? defaults.databaseUrl;
  const admin = new URL(databaseUrl);
  const database = admin.pathname.slice(1);
  admin.pathname = "/postgres";
  if (database && (await postgresAnswers(admin.toString()))) await ensureDatabase(admin.toString(), database);
  return ensureServices({
    databaseUrl,
    redisUrl: process.env.REDIS_URL ?? defaults.redisUrl,
    dataDir: `${root}/.data`,
    log: (message: string) => console.log(`› ${message}`),
  });
}
