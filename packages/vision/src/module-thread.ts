import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/**
 * A worker thread running `module` (a .ts file next to the caller): its built .js sibling when
 * the caller runs built, else the source through tsx, which the thread registers first because
 * Node 20 cannot load TypeScript by itself.
 */
export function startModuleThread(module: URL, workerData?: unknown): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL(module.href.replace(/\.ts$/, ".js")), { workerData });
  const tsxApi = pathToFileURL(
    createRequire(import.meta.url)
      .resolve("tsx/esm/api")
      .replace(/\.cjs$/, ".mjs"),
  ).href;
  const bootstrap = `import(${JSON.stringify(tsxApi)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
