// The system-program check of `npm run demo` and `npm test`, on a simulated bare PATH. The apt
// step is replaced by an installer that puts an executable into that PATH (running apt itself
// here would change the machine); the real apt path runs whenever CI starts on a new machine.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ensurePrograms, locateProgram, SYSTEM_PROGRAMS } from "./programs.mjs";

const dirs = [];
function bareDir() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "consentry-bare-path-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const quiet = { log: () => {} };
const debianRoot = { debian: true, root: true, packageManager: "apt" };

describe("ensurePrograms", () => {
  it("finds the real ffmpeg and ffprobe on this machine's PATH, and they run", () => {
    const found = ensurePrograms(["ffmpeg", "ffprobe"], quiet);
    for (const file of Object.values(found)) {
      expect(path.isAbsolute(file)).toBe(true);
      expect(execFileSync(file, ["-version"], { encoding: "utf8" })).toMatch(/version/);
    }
  });

  it("installs what a bare PATH lacks on Debian as root, one apt package for ffmpeg and ffprobe", () => {
    const dir = bareDir();
    const installs = [];
    const found = ensurePrograms(["ffmpeg", "ffprobe", "redis-server"], {
      ...quiet,
      searchPath: dir,
      system: debianRoot,
      install: (packages) => {
        installs.push(packages);
        // What apt would leave behind: the executables of those packages.
        const programs = { ffmpeg: ["ffmpeg", "ffprobe"], "redis-server": ["redis-server"] };
        for (const name of packages.flatMap((pkg) => programs[pkg])) {
          writeFileSync(path.join(dir, name), "#!/bin/sh\n");
          chmodSync(path.join(dir, name), 0o755);
        }
        return true;
      },
    });
    expect(installs).toEqual([["ffmpeg", "redis-server"]]);
    expect(found).toEqual({
      ffmpeg: path.join(dir, "ffmpeg"),
      ffprobe: path.join(dir, "ffprobe"),
      "redis-server": path.join(dir, "redis-server"),
    });
  });

  it("installs nothing when everything is there", () => {
    const dir = bareDir();
    writeFileSync(path.join(dir, "ffmpeg"), "#!/bin/sh\n");
    chmodSync(path.join(dir, "ffmpeg"), 0o755);
    const found = ensurePrograms(["ffmpeg"], {
      ...quiet,
      searchPath: dir,
      system: debianRoot,
      install: () => {
        throw new Error("must not install");
      },
    });
    expect(found.ffmpeg).toBe(path.join(dir, "ffmpeg"));
  });

  it("stops at once elsewhere, naming the package for that OS", () => {
    const dir = bareDir();
    const noInstall = () => {
      throw new Error("must not install");
    };
    const mac = () =>
      ensurePrograms(["ffmpeg", "redis-server"], {
        ...quiet,
        searchPath: dir,
        system: { debian: false, root: false, packageManager: "brew" },
        install: noInstall,
      });
    expect(mac).toThrow(/ffmpeg \(not on PATH\).*brew install ffmpeg/);
    expect(mac).toThrow(/redis-server \(not on PATH\).*brew install redis/);

    const fedora = () =>
      ensurePrograms(["ffprobe"], {
        ...quiet,
        searchPath: dir,
        system: { debian: false, root: true, packageManager: "dnf" },
        install: noInstall,
      });
    expect(fedora).toThrow(/ffprobe.*dnf install ffmpeg-free/);

    // Debian without root: apt is named, not run.
    const user = () =>
      ensurePrograms(["ffmpeg"], {
        ...quiet,
        searchPath: dir,
        system: { debian: true, root: false, packageManager: "apt" },
        install: noInstall,
      });
    expect(user).toThrow(/sudo apt-get install ffmpeg/);
  });

  it("names what apt could not install", () => {
    const dir = bareDir();
    expect(() =>
      ensurePrograms(["ffmpeg"], { ...quiet, searchPath: dir, system: debianRoot, install: () => false }),
    ).toThrow(/missing system programs:\n {2}ffmpeg \(not on PATH\), for camera simulator.*apt-get install ffmpeg/);
  });
});

describe("locateProgram", () => {
  it("ignores a file that is not executable, and checks fixed-path files for presence", () => {
    const dir = bareDir();
    writeFileSync(path.join(dir, "ffmpeg"), "not executable");
    expect(locateProgram(SYSTEM_PROGRAMS.ffmpeg, dir)).toBeUndefined();
    const font = path.join(dir, "font.ttc");
    expect(locateProgram({ file: font }, dir)).toBeUndefined();
    writeFileSync(font, "");
    expect(locateProgram({ file: font }, dir)).toBe(font);
  });
});
