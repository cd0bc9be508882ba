// How many cameras one inference worker process (src/main.ts) sustains at 5 fps without dropping a
// single frame, with 1,000 templates enrolled at the site (so faces are embedded and matched), the
// cameras streamed by the simulator in a process of its own (its slideshow every 5th camera, the
// Hamilton clip otherwise). Cameras are added step by step; a step holds when every camera is
// leased, analysed at >= 4.75 fps, and no frame was dropped in its window (a frame like the last one
// detected on is analysed without detection, as the worker does: their share is printed). Measured in the same
// run: the worker's CPU (its process and its ffmpeg readers, from /proc) per camera, against the
// bare cost of a camera (ffmpeg decoding its stream at the same size and rate, plus the bare detector
// on each frame: ./bare-camera.ts), and the peak RSS of the worker with its readers.
// Run by scripts/bench-vision.ts; last line JSON.   tsx workers/inference/bench/cameras.ts [--max 40]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { createCamera } from "@consentry/core/cameras";
import { makeAnalysedSite, makeOrganization, TEST_ACTOR } from "@consentry/core/testing";
import { cameraFields } from "@consentry/core/validators";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { FACES_DIR } from "@consentry/fixtures";
import { producerOptions, publishInvalidation, QUEUE_NAMES, readHeartbeats, redisConnection } from "@consentry/queue";
import { createFaceAnalyzer, decodeImage } from "@consentry/vision";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import {
  processTree,
  pssMb,
  round,
  rssMb,
  seedTemplates,
  startSimulatorProcess,
  startWorkerProcess,
  summary,
  syntheticFaces,
  treeCpu,
} from "./common";

const flag = (name: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? process.argv[index + 1] : undefined;
};
const MAX_CAMERAS = Number(flag("--max") ?? 48);
const STEPS = (flag("--steps")?.split(",").map(Number) ?? [4, 8, 12, 16, 24, 32, 40, 48, 56, 64]).filter(
  (count) => count <= MAX_CAMERAS,
);
const ENROLLED = 1000;
const FPS = 5;
const SETTLE_MS = 6_000;
const WINDOW_MS = 15_000;
const FRAME_WIDTH = 640;
const FRAME_HEIGHT = 360;

const testDb = await createTestDatabase(env.DATABASE_URL);
const prefix = `bench-cameras-${process.pid}`;
const storageDir = mkdtempSync(join(tmpdir(), "consentry-bench-cameras-"));
const redis = new Redis(redisConnection(env.REDIS_URL));
const simulator = await startSimulatorProcess(MAX_CAMERAS);
console.log(`camera simulator: ${MAX_CAMERAS} cameras, in process ${simulator.pid}`);
let worker: ReturnType<typeof startWorkerProcess> | undefined;

try {
  const orgId = (await makeOrganization(testDb.db, undefined, { openNetworks: true })).id;
  const { siteId } = await makeAnalysedSite(testDb.db, orgId, { name: "Bench Theatre", cameras: [] });

  // The enrolled: the fixture photos' people (Lin-Manuel Miranda is in the clip), then synthetic people.
  const analyzer = await createFaceAnalyzer();
  const real: Float32Array[] = [];
  for (const name of readdirSync(FACES_DIR)) {
    const faces = await analyzer.analyze(await decodeImage(join(FACES_DIR, name)));
    if (faces.length === 1) real.push((faces[0] as { embedding: Float32Array }).embedding);
  }
  const modelId = analyzer.modelId;
  await analyzer.close();
  const synthetic = syntheticFaces();
  await seedTemplates(testDb.db, {
    orgId,
    siteId,
    count: ENROLLED,
    modelId,
    embedding: (i) => real[i] ?? synthetic.person(),
  });
  console.log(`enrolled at the site: ${ENROLLED} templates of ${modelId} (${real.length} from the fixture photos)`);

  worker = startWorkerProcess(
    {
      DATABASE_URL: testDb.url,
      QUEUE_PREFIX: prefix,
      CONSENTRY_STORAGE_DIR: storageDir,
      INFERENCE_MAX_CAMERAS: String(Math.min(64, MAX_CAMERAS)),
    },
    // --profile DIR: CPU profiles of the worker's threads, for looking into where the time goes.
    flag("--profile") ? ["--cpu-prof", `--cpu-prof-dir=${flag("--profile")}`] : [],
  );
  await worker.ready;
  const workerPid = worker.pid;
  const cpu = treeCpu(workerPid);

  // The worker's peak memory with its ffmpeg readers: the sum of their RSS, sampled every 200 ms.
  // RSS counts the shared libraries each ffmpeg maps (about 42 MB) once per process; PSS shares
  // them out, so its sum is the memory the tree really takes (sampled every 2 s: it costs more).
  let peakRss = 0;
  let peakPss = 0;
  let peakWorkerRss = 0;
  let samples = 0;
  const rssSampler = setInterval(() => {
    const tree = processTree(workerPid);
    peakRss = Math.max(
      peakRss,
      tree.reduce((sum, pid) => sum + rssMb(pid), 0),
    );
    peakWorkerRss = Math.max(peakWorkerRss, rssMb(workerPid));
    if (samples++ % 10 === 0)
      peakPss = Math.max(
        peakPss,
        tree.reduce((sum, pid) => sum + pssMb(pid), 0),
      );
  }, 200);

  const simulatorCpu = treeCpu(simulator.pid);
  /** The worker's next heartbeat (every 5 s), with the tree's CPU seconds read as soon as it is seen. */
  let lastBeatAt = "";
  const nextBeat = async () => {
    for (;;) {
      const [beat] = (await readHeartbeats(redis, prefix)).filter((b) => b.pid === workerPid);
      if (beat && beat.at !== lastBeatAt) {
        lastBeatAt = beat.at;
        return { beat, cpuSeconds: cpu.sample(), simulatorSeconds: simulatorCpu.sample(), machine: machineCpu() };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const jobs = {
    probeCamera: async () => {},
    invalidate: (change: Parameters<typeof publishInvalidation>[2]) => publishInvalidation(redis, prefix, change),
  };
  let added = 0;
  let sustained = 0;
  let perCameraCpuPct: number | null = null;
  let atCameras = 0;
  let simulatorCores = 0;
  for (const count of STEPS) {
    for (; added < count; added++) {
      await createCamera(
        { db: testDb.db, actor: TEST_ACTOR, orgId, jobs },
        cameraFields.parse({
          name: `Bench cam ${added + 1}`,
          siteId,
          entryPointId: null,
          locationType: "entrance",
          frEnabled: true,
          analysisFps: FPS,
          rtspUrl: simulator.urls[added],
        }),
      );
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const start = await nextBeat();
    let end = start;
    while (Date.parse(end.beat.at) - Date.parse(start.beat.at) < WINDOW_MS) end = await nextBeat();
    const seconds = (Date.parse(end.beat.at) - Date.parse(start.beat.at)) / 1000;
    const before = new Map(start.beat.cameras.map((camera) => [camera.cameraId, camera]));
    const perCamera = end.beat.cameras.map((camera) => {
      const earlier = before.get(camera.cameraId);
      const frames = camera.framesAnalysed - (earlier?.framesAnalysed ?? 0);
      return {
        fps: frames / seconds,
        frames,
        dropped: camera.framesDropped - (earlier?.framesDropped ?? 0),
        unchanged: (camera.framesUnchanged ?? 0) - (earlier?.framesUnchanged ?? 0),
        full: earlier !== undefined,
      };
    });
    const slowest = Math.min(...perCamera.map((camera) => camera.fps));
    const dropped = perCamera.reduce((sum, camera) => sum + camera.dropped, 0);
    const unchangedShare =
      perCamera.reduce((sum, camera) => sum + camera.unchanged, 0) /
      Math.max(
        1,
        perCamera.reduce((sum, camera) => sum + camera.frames, 0),
      );
    const cpuPct = ((end.cpuSeconds - start.cpuSeconds) / seconds / Math.max(1, perCamera.length)) * 100;
    const latencyP95 = Math.max(...end.beat.cameras.map((camera) => camera.latencyP95Ms ?? 0));
    const busy = 1 - (end.machine.idle - start.machine.idle) / (end.machine.total - start.machine.total);
    simulatorCores = (end.simulatorSeconds - start.simulatorSeconds) / seconds;
    console.log(
      `${count} camera(s): ${perCamera.length} leased, slowest ${slowest.toFixed(2)} fps, ${dropped} frame(s) dropped, ` +
        `analysis p95 ${Math.round(latencyP95)} ms, ${(unchangedShare * 100).toFixed(0)} % of frames unchanged (not detected on); worker CPU ${cpuPct.toFixed(1)} % of a core per camera ` +
        `(${((end.cpuSeconds - start.cpuSeconds) / seconds).toFixed(2)} cores), simulator ` +
        `${simulatorCores.toFixed(2)} cores, machine ${(busy * 100).toFixed(0)} % busy`,
    );
    const holds =
      perCamera.length === count && perCamera.every((camera) => camera.full) && dropped === 0 && slowest >= FPS * 0.95;
    if (!holds) break;
    sustained = count;
    perCameraCpuPct = cpuPct;
    atCameras = count;
  }
  clearInterval(rssSampler);
  worker.stop("SIGTERM");
  await worker.exited;

  // The bare cost of a camera, on the same streams, at the same size and rate.
  const bare = await bareCost(simulator.urls.slice(0, 8));
  console.log(
    `bare camera (ffmpeg to ${FRAME_WIDTH}x${FRAME_HEIGHT} at ${FPS} fps + the bare detector): ${bare.toFixed(1)} % of a core per camera`,
  );
  // The most cameras the cores left by the simulator (as it ran in the last step) could take at no
  // overhead at all: the ceiling for cameras_at_5fps on this machine.
  const bareLimit = Math.floor(((cpus().length - simulatorCores) * 100) / bare);
  console.log(
    `at the bare cost, the ${(cpus().length - simulatorCores).toFixed(2)} cores the simulator leaves hold at most ${bareLimit} cameras`,
  );
  console.log(
    `one worker (${cpus().length} cores) sustains ${sustained} camera(s) at ${FPS} fps without dropping a frame`,
  );
  console.log(
    `peak memory of the worker with its ffmpeg readers: RSS summed ${Math.round(peakRss)} MB, PSS summed ${Math.round(peakPss)} MB (the worker process alone: RSS ${Math.round(peakWorkerRss)} MB)`,
  );
  summary({
    cameras_at_5fps: sustained,
    bare_cpu_per_camera_pct: round(bare, 1),
    bare_limit_cameras: bareLimit,
    worker_cpu_per_camera_pct: perCameraCpuPct === null ? null : round(perCameraCpuPct, 1),
    worker_cpu_at_cameras: atCameras,
    worker_vs_bare: perCameraCpuPct === null ? null : round(perCameraCpuPct / bare, 2),
    worker_rss_mb: Math.round(peakRss),
    worker_pss_mb: Math.round(peakPss),
    worker_process_rss_mb: Math.round(peakWorkerRss),
  });
} finally {
  worker?.stop("SIGKILL");
  simulator.stop();
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, producerOptions(env.REDIS_URL, prefix));
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  await redis.quit();
  await testDb.drop();
  rmSync(storageDir, { recursive: true, force: true });
}
process.exit(0);

/** Idle and total jiffies of the whole machine (/proc/stat). */
function machineCpu() {
  const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/).slice(1).map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.reduce((sum, value) => sum + value, 0) };
}

/** CPU per camera of ./bare-camera.ts reading `urls` for 15 s (its process and its ffmpeg readers). */
async function bareCost(urls: string[]): Promise<number> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      new URL("./bare-camera.ts", import.meta.url).pathname,
      String(FPS),
      String(FRAME_WIDTH),
      String(FRAME_HEIGHT),
      ...urls,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const lines: string[] = [];
  child.stdout.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n")));
  const exited = new Promise((resolve) => child.once("exit", resolve));
  await new Promise<void>((resolve, reject) => {
    const check = setInterval(() => {
      if (lines.some((line) => line.includes("streaming"))) {
        clearInterval(check);
        resolve();
      }
    }, 50);
    void exited.then(() => {
      clearInterval(check);
      reject(new Error("the bare camera process exited"));
    });
  });
  const pid = child.pid ?? -1;
  const tree = treeCpu(pid);
  // Past the streams' start (RTSP setup, the first key frame), then a window of 15 s.
  await new Promise((r) => setTimeout(r, 4000));
  const started = { cpu: tree.sample(), at: performance.now() };
  await new Promise((r) => setTimeout(r, 15_000));
  const cpuSeconds = tree.sample() - started.cpu;
  const seconds = (performance.now() - started.at) / 1000;
  child.kill("SIGTERM");
  await exited;
  return (cpuSeconds / seconds / urls.length) * 100;
}
