// `npm run bench:vision`: the face pipeline on the Hamilton clip (packages/vision/bench: bare
// model vs detection pipeline vs full pipeline, float vs int8 embedder), then real inference
// worker processes against the camera simulator in a process of its own
// (workers/inference/bench): how many cameras one worker sustains at 5 fps with 1,000 people
// enrolled and what a camera costs it against the bare cost, how fast cameras move to another
// worker when one is killed or stopped, and matching against a 100,000-template gallery.
// Each part prints its figures; the last line here is all their JSON summaries in one.
import { spawnSync } from "node:child_process";
import { root, services } from "./lib/run";

const PARTS = [
  "packages/vision/bench/vision.ts",
  "workers/inference/bench/cameras.ts",
  "workers/inference/bench/failover.ts",
  "workers/inference/bench/gallery.ts",
];

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
const summary: Record<string, unknown> = {};
for (const part of PARTS) {
  const started = Date.now();
  const run = spawnSync(`${root}node_modules/.bin/tsx`, [`${root}${part}`], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, DATABASE_URL: svc.databaseUrl, REDIS_URL: svc.redisUrl, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // The workers' own JSON log lines are for the part to read, not for this report.
  const lines = run.stdout.trim().split("\n");
  process.stdout.write(`${lines.filter((line) => !line.startsWith('{"level"')).join("\n")}\n`);
  console.log(`(${part}: ${Math.round((Date.now() - started) / 1000)} s)`);
  if (run.status !== 0) process.exit(run.status ?? 1);
  Object.assign(summary, JSON.parse(lines.at(-1) ?? "{}"));
}
console.log(JSON.stringify(summary));
