// Finds the system programs the demo and the tests need, installing missing ones with apt on
// Debian/Ubuntu as root; elsewhere it stops at once, naming the package to install for that OS.
// Plain ESM, run with `node` before any npm package is installed.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/**
 * What we need, how to find it, and which package provides it per package manager. A `program`
 * is looked up on PATH; a `file` is a fixed path (fonts, Debian's Chromium that Playwright drives).
 */
export const SYSTEM_PROGRAMS = {
  ffmpeg: {
    program: "ffmpeg",
    why: "camera simulator, live view, inference",
    apt: "ffmpeg",
    brew: "ffmpeg",
    dnf: "ffmpeg-free",
  },
  ffprobe: { program: "ffprobe", why: "camera health probes", apt: "ffmpeg", brew: "ffmpeg", dnf: "ffmpeg-free" },
  "redis-server": { program: "redis-server", why: "a private Redis", apt: "redis-server", brew: "redis", dnf: "redis" },
  chromium: { file: "/usr/bin/chromium", why: "end-to-end tests", apt: "chromium", brew: null, dnf: "chromium" },
  "cjk-font": {
    file: "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    why: "Chinese glyphs in PDF reports",
    apt: "fonts-wqy-microhei",
    brew: null,
    dnf: "wqy-microhei-fonts",
  },
};

/**
 * Makes sure every named program is there; returns name → absolute path.
 * The options exist for the tests: a bare PATH, another OS, an installer that is not apt.
 * @param {(keyof typeof SYSTEM_PROGRAMS)[]} names
 * @param {{ log?: (msg: string) => void, searchPath?: string, system?: { debian: boolean, root: boolean, packageManager: "apt" | "brew" | "dnf" | null }, install?: (packages: string[]) => boolean }} [options]
 */
export function ensurePrograms(names, options = {}) {
  const unknown = names.filter((name) => !(name in SYSTEM_PROGRAMS));
  if (unknown.length > 0)
    throw new Error(
      `unknown system programs: ${unknown.join(", ")} (known: ${Object.keys(SYSTEM_PROGRAMS).join(", ")})`,
    );
  const log = options.log ?? console.log;
  const searchPath = options.searchPath ?? process.env.PATH ?? "";
  const system = options.system ?? detectSystem();
  const install = options.install ?? aptInstall;
  const locate = (name) => locateProgram(SYSTEM_PROGRAMS[name], searchPath);

  let missing = names.filter((name) => !locate(name));
  if (missing.length > 0 && system.debian && system.root) {
    const packages = [...new Set(missing.map((name) => SYSTEM_PROGRAMS[name].apt))];
    log(`installing ${packages.join(", ")} with apt-get (for ${missing.map(describe).join("; ")})`);
    install(packages);
    missing = missing.filter((name) => !locate(name));
  }
  if (missing.length > 0) throw new Error(missingMessage(missing, system));
  return Object.fromEntries(names.map((name) => [name, locate(name)]));
}

/** Absolute path of the program or file, or undefined. */
export function locateProgram(spec, searchPath = process.env.PATH ?? "") {
  if (spec.file) return isExecutableOrReadable(spec.file, false) ? spec.file : undefined;
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, spec.program);
    if (isExecutableOrReadable(file, true)) return file;
  }
  return undefined;
}

function isExecutableOrReadable(file, executable) {
  try {
    accessSync(file, executable ? constants.X_OK : constants.R_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

const describe = (name) => `${name}: ${SYSTEM_PROGRAMS[name].why}`;

export function missingMessage(missing, system) {
  const lines = missing.map((name) => {
    const spec = SYSTEM_PROGRAMS[name];
    const where = spec.file ? ` (${spec.file})` : " (not on PATH)";
    return `  ${name}${where}, for ${spec.why}: ${howToInstall(spec, system)}`;
  });
  return `missing system programs:\n${lines.join("\n")}`;
}

function howToInstall(spec, system) {
  const byManager = {
    apt: spec.apt && `apt-get install ${spec.apt}`,
    brew: spec.brew && `brew install ${spec.brew}`,
    dnf: spec.dnf && `dnf install ${spec.dnf}`,
  };
  const own = system.packageManager && byManager[system.packageManager];
  if (own) return system.packageManager === "apt" && !system.root ? `sudo ${own} (or run as root)` : own;
  if (system.packageManager === "brew" && spec.file)
    return `install the equivalent of Debian's ${spec.apt} at ${spec.file}`;
  return `install the package that provides it (Debian/Ubuntu: ${spec.apt})`;
}

/** Which OS family and package manager this is. */
export function detectSystem() {
  const root = process.getuid?.() === 0;
  if (process.platform === "darwin") return { debian: false, root, packageManager: "brew" };
  const release = readOsRelease();
  const family = `${release.ID ?? ""} ${release.ID_LIKE ?? ""}`;
  const debian = existsSync("/etc/debian_version") || /\b(debian|ubuntu)\b/.test(family);
  if (debian) return { debian, root, packageManager: "apt" };
  if (/\b(fedora|rhel|centos)\b/.test(family)) return { debian, root, packageManager: "dnf" };
  return { debian, root, packageManager: null };
}

function readOsRelease() {
  try {
    const text = readFileSync("/etc/os-release", "utf8");
    return Object.fromEntries(
      text
        .split("\n")
        .map((line) => /^([A-Z_]+)=("?)(.*)\2$/.exec(line.trim()))
        .filter(Boolean)
        .map((match) => [match[1], match[3]]),
    );
  } catch {
    return {};
  }
}

/** apt-get install, with one `apt-get update` and a retry when the package lists are stale or empty. */
function aptInstall(packages) {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const run = (args) => spawnSync("apt-get", args, { stdio: "inherit", env }).status === 0;
  const install = () => run(["install", "-y", "-qq", ...packages]);
  return install() || (run(["update", "-qq"]) && install());
}

// `node scripts/lib/programs.mjs ffmpeg ffprobe`: the same check for a worker on another machine.
if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensurePrograms(process.argv.slice(2));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
