import { spawn } from "node:child_process";
import { copyFile, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_MODELS_DIR, MODELS } from "@consentry/vision";
import { afterAll, beforeAll, expect, it } from "vitest";

// `npm run worker` with a model file that is not the pinned one: the worker must not start.
let modelsDir: string;

beforeAll(async () => {
  modelsDir = await mkdtemp(join(tmpdir(), "consentry-worker-models-"));
  for (const spec of [MODELS.detector, MODELS.landmarks, MODELS.embedding]) {
    await copyFile(join(DEFAULT_MODELS_DIR, spec.file), join(modelsDir, spec.file));
  }
  // One flipped byte in the quantised embedder.
  const tampered = await readFile(join(modelsDir, MODELS.embedding.file));
  tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 0xff;
  await writeFile(join(modelsDir, MODELS.embedding.file), tampered);
});
afterAll(async () => {
  await rm(modelsDir, { recursive: true, force: true });
});

it("stops with an error naming the model whose hash does not match, and analyses nothing", async () => {
  const child = spawn("npx", ["tsx", "src/main.ts"], {
    cwd: join(import.meta.dirname, ".."),
    // biome-ignore lint/style/noProcessEnv: the child needs PATH and the rest of the test's environment
    env: { ...process.env, CONSENTRY_MODELS_DIR: modelsDir, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (output += String(chunk)));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code).not.toBe(0);
  expect(output).toContain("could not load the face models");
  expect(output).toContain(`model ${MODELS.embedding.id} at ${join(modelsDir, MODELS.embedding.file)} has SHA-256`);
  expect(output).toContain(`expected ${MODELS.embedding.sha256}; refusing to load it`);
  expect(output).not.toContain("camera lease taken");
}, 60_000);
