// `npm run bench:vision`: the face pipeline on the Hamilton clip (packages/vision/bench: bare
// model vs detection pipeline vs full pipeline), then how many cameras at 5 fps one inference
// worker sustains on this machine without dropping frames, and its memory.
// Last line: a JSON summary.
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { callerFor, makeOrganization, makePrincipal, recordingJobs } from "@consentry/api/testing";
import { startCameraSimulator } from "@consentry/camera-sim";
import { createTestDatabase } from "@consentry/db/testing";
import { startInferenceWorker } from "@consentry/inference-worker/worker";
import { createFileStore } from "@consentry/storage";
import { createFaceAnalyzerThread } from "@consentry/vision";
import { pino } from "pino";
import { root, services } from "./lib/run";

const MAX_CAMERAS = 16;
const SETTLE_MS = 5_000;
const WINDOW_MS = 10_000;
const FPS = 5;

const pipeline = spawnSync(`${root}node_modules/.bin/tsx`, [`${root}packages/vision/bench/vision.ts`], {
  cwd: root,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
process.stdout.write(pipeline.stdout);
if (pipeline.status !== 0) process.exit(pipeline.status ?? 1);
const pipelineSummary = JSON.parse(pipeline.stdout.trim().split("\n").at(-1) ?? "{}") as Record<string, unknown>;

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
const database = await createTestDatabase(svc.databaseUrl);
const sim = await startCameraSimulator({ count: MAX_CAMERAS, port: 0 });
const analyzer = await createFaceAnalyzerThread({ threads: 1 });
const prefix = `bench-vision-${process.pid}`;
const orgId = (await makeOrganization(database.db)).id;
const owner = await makePrincipal(database.db, { memberships: [[orgId, "owner"]] });
const api = callerFor(database.db, owner, recordingJobs());
const siteId = (
  await api.sites.create({
    orgId,
    name: "Bench Theatre",
    address: "1 Road",
    regionCode: "310101",
    kind: "office",
    templateRetentionDays: 365,
  })
).id;
await api.assessments.create({
  orgId,
  siteId,
  scope: "All",
  approver: "DPO",
  documentSha256: "e".repeat(64),
  completedAt: new Date(),
  nextReviewAt: null,
});
const worker = startInferenceWorker({
  db: database.db,
  redisUrl: svc.redisUrl,
  prefix,
  storage: createFileStore(mkdtempSync(join(tmpdir(), "consentry-bench-"))),
  analyzer,
  logger: pino({ level: "warn" }),
  maxCameras: MAX_CAMERAS,
  reconcileEveryMs: 1000,
});
await worker.ready;

let sustained = 0;
let peakRssMb = 0;
try {
  for (let count = 1; count <= MAX_CAMERAS; count++) {
    // Cameras are added as the simulator's slideshows (every 5th) or the clip, at 5 fps each.
    await api.cameras.create({
      orgId,
      name: `Bench cam ${count}`,
      siteId,
      entryPointId: null,
      locationType: "entrance",
      frEnabled: true,
      analysisFps: FPS,
      rtspUrl: sim.urlOf(count),
    });
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const before = [...worker.active.values()].map((c) => c.stats.snapshot());
    await new Promise((r) => setTimeout(r, WINDOW_MS));
    const after = [...worker.active.values()].map((c) => c.stats.snapshot());
    peakRssMb = Math.max(peakRssMb, Math.round(process.memoryUsage().rss / 1048576));
    const delta = (key: "framesAnalysed" | "framesDropped") =>
      after.reduce((sum, c) => sum + c[key], 0) - before.reduce((sum, c) => sum + c[key], 0);
    const analysed = delta("framesAnalysed");
    const dropped = delta("framesDropped");
    const fpsPerCamera = analysed / (WINDOW_MS / 1000) / Math.max(1, after.length);
    const dropRate = dropped / Math.max(1, analysed + dropped);
    console.log(
      `${count} camera(s) leased ${after.length}: ${fpsPerCamera.toFixed(2)} fps each, ${(dropRate * 100).toFixed(1)}% dropped`,
    );
    if (after.length < count || dropRate > 0.01 || fpsPerCamera < FPS * 0.95) break;
    sustained = count;
  }
} finally {
  await worker.close();
  await analyzer.close();
  await sim.stop();
  await database.drop();
}
console.log(`one worker (${cpus().length} cores) sustains ${sustained} camera(s) at ${FPS} fps without dropping`);
console.log(JSON.stringify({ ...pipelineSummary, cameras_at_5fps: sustained, worker_rss_mb: peakRssMb }));
process.exit(0);
