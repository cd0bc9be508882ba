// Failover of camera leases between real inference worker processes (src/main.ts), the cameras
// streamed by the simulator in a process of its own. Ten times: SIGKILL the worker analysing the
// cameras and time, per camera, until another worker has analysed a frame of it (from the
// workers' own log lines: "camera analysed: first frame"). Then three graceful stops (SIGTERM):
// until another worker holds the lease, and until it has analysed a frame. All along, the ffmpeg
// readers of each camera are counted from the process table every 200 ms, as the fault suite
// counts them: never two.
// Run by scripts/bench-vision.ts; last line JSON.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeAnalysedSite, makeOrganization } from "@consentry/core/testing";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { producerOptions, QUEUE_NAMES } from "@consentry/queue";
import { Queue } from "bullmq";
import { watchReaders } from "../../../scripts/lib/faults/processes";
import { percentile } from "../../../scripts/lib/web-app";
import { round, startSimulatorProcess, startWorkerProcess, summary, type WorkerProcess } from "./common";

const CAMERAS = 2;
const KILLS = 10;
const GRACEFUL_STOPS = 3;

const testDb = await createTestDatabase(env.DATABASE_URL);
const prefix = `bench-failover-${process.pid}`;
const storageDir = mkdtempSync(join(tmpdir(), "consentry-bench-failover-"));
const simulator = await startSimulatorProcess(CAMERAS);
const workers: WorkerProcess[] = [];
const startWorker = () => {
  const worker = startWorkerProcess({
    DATABASE_URL: testDb.url,
    QUEUE_PREFIX: prefix,
    CONSENTRY_STORAGE_DIR: storageDir,
    INFERENCE_MAX_CAMERAS: String(CAMERAS * 2),
  });
  workers.push(worker);
  return worker;
};
const alive = () => workers.filter((worker) => worker.child.exitCode === null && worker.child.signalCode === null);

const startedAt = Date.now();
const readers = watchReaders(
  simulator.port,
  simulator.urls.map((_, i) => i + 1),
);

try {
  const orgId = (await makeOrganization(testDb.db)).id;
  const { cameraIds } = await makeAnalysedSite(testDb.db, orgId, {
    name: "Failover Hall",
    cameras: simulator.urls.map((rtspUrl, i) => ({ name: `Door ${i + 1}`, rtspUrl })),
  });
  /** The last "first frame" line of each camera among these workers, after `since`. */
  const firstFrames = (candidates: WorkerProcess[], since: number) => {
    const found = new Map<string, { worker: WorkerProcess; at: number; log: Record<string, unknown> }>();
    for (const worker of candidates) {
      for (const log of worker.logs) {
        if (log.msg === "camera analysed: first frame" && log.time >= since) {
          const cameraId = String(log.cameraId);
          if ((found.get(cameraId)?.at ?? 0) < log.time) found.set(cameraId, { worker, at: log.time, log });
        }
      }
    }
    return found;
  };
  /** Waits until each of `ids` has been analysed by one of `candidates` since `since`. */
  const analysedSince = (candidates: WorkerProcess[], since: number, ids: readonly string[]) =>
    Promise.race(
      candidates.map((worker) =>
        worker.waitFor("the cameras analysed", 60_000, () => {
          const found = firstFrames(candidates, since);
          return ids.every((id) => found.has(id)) ? found : undefined;
        }),
      ),
    );
  /** Where the time went, from the new holder's log line: lease taken, stream opened, first frame in, analysed. */
  const breakdown = (frame: { at: number; log: Record<string, unknown> } | undefined, since: number) => {
    if (!frame) return "?";
    const analysed = frame.at - since;
    const taken = analysed - Number(frame.log.afterMs);
    const opened = taken + Number(frame.log.streamOpenedAfterMs);
    const arrived = opened + Number(frame.log.firstFrameAfterMs);
    return `lease taken +${taken}, stream opened +${opened}, first frame in +${arrived}, analysed +${analysed}`;
  };
  const holderOf = (frames: Map<string, { worker: WorkerProcess }>) => frames.get(cameraIds[0] as string)?.worker;

  const first = startWorker();
  await first.ready;
  const frames = await analysedSince([first], 0, cameraIds);
  // Two standbys: a killed worker's cameras go to one, and a new standby starts meanwhile.
  await Promise.all([startWorker().ready, startWorker().ready]);

  const killMs: number[] = [];
  for (let kill = 0; kill < KILLS; kill++) {
    const victim = holderOf(frames) as WorkerProcess;
    const held = cameraIds.filter((id) => frames.get(id)?.worker === victim);
    const others = alive().filter((worker) => worker !== victim);
    await Promise.all(others.map((worker) => worker.ready));
    const killedAt = Date.now();
    process.kill(victim.pid, "SIGKILL");
    await victim.exited;
    for (const [id, frame] of await analysedSince(others, killedAt, held)) if (held.includes(id)) frames.set(id, frame);
    const slowest = Math.max(...held.map((id) => (frames.get(id)?.at ?? Number.NaN) - killedAt));
    killMs.push(slowest);
    console.log(
      `kill ${kill + 1}: ${held.length} camera(s) analysed again by another worker after ${slowest} ms (${held.map((id) => breakdown(frames.get(id), killedAt)).join("; ")})`,
    );
    startWorker();
  }

  const handoverMs: number[] = [];
  const handoverFrameMs: number[] = [];
  for (let stop = 0; stop < GRACEFUL_STOPS; stop++) {
    const victim = holderOf(frames) as WorkerProcess;
    const held = cameraIds.filter((id) => frames.get(id)?.worker === victim);
    const others = alive().filter((worker) => worker !== victim);
    await Promise.all(others.map((worker) => worker.ready));
    const stoppedAt = Date.now();
    victim.stop("SIGTERM");
    for (const [id, frame] of await analysedSince(others, stoppedAt, held))
      if (held.includes(id)) frames.set(id, frame);
    const taken = (id: string) =>
      Math.min(
        ...others
          .flatMap((worker) =>
            worker.logs.filter(
              (log) => log.msg === "camera lease taken" && log.cameraId === id && log.time >= stoppedAt,
            ),
          )
          .map((log) => log.time),
      );
    const leaseMs = Math.max(...held.map((id) => taken(id) - stoppedAt));
    const frameMs = Math.max(...held.map((id) => (frames.get(id)?.at ?? Number.NaN) - stoppedAt));
    handoverMs.push(leaseMs);
    handoverFrameMs.push(frameMs);
    console.log(
      `graceful stop ${stop + 1}: lease taken by another worker after ${leaseMs} ms, analysed after ${frameMs} ms (${held.map((id) => breakdown(frames.get(id), stoppedAt)).join("; ")})`,
    );
    await victim.exited;
    startWorker();
  }
  const doubleSeconds = readers.doubleSince(startedAt);
  console.log(`ffmpeg readers sampled every 200 ms: ${doubleSeconds} second(s) with two on one camera`);
  summary({
    failover_p95_ms: Math.round(percentile(killMs, 95)),
    failover_median_ms: Math.round(percentile(killMs, 50)),
    handover_lease_max_ms: Math.round(Math.max(...handoverMs)),
    handover_first_frame_max_ms: Math.round(Math.max(...handoverFrameMs)),
    failover_double_analysis_seconds: doubleSeconds,
    failover_kills: killMs.length,
    failover_mean_ms: round(killMs.reduce((sum, ms) => sum + ms, 0) / killMs.length, 0),
  });
} finally {
  await readers.stop();
  for (const worker of workers) worker.stop("SIGKILL");
  simulator.stop();
  for (const name of Object.values(QUEUE_NAMES)) {
    const queue = new Queue(name, producerOptions(env.REDIS_URL, prefix));
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
  }
  await testDb.drop();
  rmSync(storageDir, { recursive: true, force: true });
}
process.exit(0);
