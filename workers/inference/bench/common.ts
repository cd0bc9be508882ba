// Helpers shared by the inference worker's benchmarks (run by scripts/bench-vision.ts).
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { sealEmbedding } from "@consentry/crypto";
import { type Database, schema, sql } from "@consentry/db";
import { seededRandom } from "@consentry/vision/testing";
import { killWithParent } from "../../../scripts/lib/processes";
import { stopGroup } from "../../../scripts/lib/run";

export const round = (value: number, decimals = 1) => Number(value.toFixed(decimals));

/** A process and all its descendants, from /proc (a worker's ffmpeg readers are its children). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const tree: number[] = [];
  const visit = (pid: number) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) visit(child);
  };
  visit(rootPid);
  return tree;
}

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MB; 0 once it is gone. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Proportional set size of a process in MB (shared pages divided among their users); 0 once it is gone. */
export function pssMb(pid: number): number {
  try {
    return Number(/Pss:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/**
 * CPU seconds of a process tree, counting every process seen since the sampler started: an ffmpeg
 * reader that exits mid-window keeps the seconds it used (read at its last sample).
 */
export function treeCpu(rootPid: number) {
  const last = new Map<number, number>();
  const sample = () => {
    for (const pid of processTree(rootPid)) last.set(pid, cpuSeconds(pid) || (last.get(pid) ?? 0));
    return [...last.values()].reduce((sum, seconds) => sum + seconds, 0);
  };
  return { sample };
}

/**
 * `count` face templates at a site, each its own consenting person, sealed as enrolment seals them.
 * `embedding(i)` gives the i-th vector. Subjects and consents are made in SQL, templates in batches.
 */
export async function seedTemplates(
  db: Database,
  options: { orgId: string; siteId: string; count: number; modelId: string; embedding: (i: number) => Float32Array },
): Promise<{ subjectIds: string[] }> {
  const { orgId, siteId, count, modelId } = options;
  const tag = `bench-${Date.now().toString(36)}`;
  const consented = await db.execute<{ subject_id: string; consent_id: string }>(sql`
    with people as (
      insert into ${schema.subjects} (org_id, pseudonym)
      select ${orgId}, ${tag} || '-' || n from generate_series(1, ${count}::int) as n
      returning id
    )
    insert into ${schema.consents} (org_id, subject_id, site_id, purpose, method, given_at)
    select ${orgId}, id, ${siteId}, 'entry_verification', 'written', now() from people
    returning subject_id, id as consent_id`);
  const rows = [...consented];
  const batch = 1000;
  for (let start = 0; start < rows.length; start += batch) {
    await db.insert(schema.faceTemplates).values(
      rows.slice(start, start + batch).map((row, offset) => ({
        orgId,
        siteId,
        subjectId: row.subject_id,
        consentId: row.consent_id,
        modelId,
        modelVersion: modelId.split("@").at(-1) ?? modelId,
        embeddingEnc: sealEmbedding(options.embedding(start + offset)),
      })),
    );
  }
  // Fresh statistics, as a running installation has them: the gallery query plans on them.
  await db.execute(sql`analyze subjects, consents, face_templates`);
  return { subjectIds: rows.map((row) => row.subject_id) };
}

/**
 * Face-like synthetic embeddings from a seeded generator (the same people every run): every vector has
 * a part in a shared 16-d subspace, so different people score about N(0, 0.09) against each other, as
 * this model's impostor pairs do on the fixtures; independent random 512-d vectors would give
 * N(0, 0.044) and flatter the gallery's sketch filter.
 */
export function syntheticFaces(dimensions = 512, seed = 0x5eed) {
  const random = seededRandom(seed).gaussian;
  const shared = Array.from({ length: 16 }, () => unit(Float32Array.from({ length: dimensions }, random)));
  /** A new person's template. */
  const person = () => {
    const vector = Float32Array.from({ length: dimensions }, random);
    for (const direction of shared) {
      const weight = 4 * random();
      for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) + weight * (direction[i] as number);
    }
    return unit(vector);
  };
  /** Another photo of the same person: `noise` of a fresh random direction (0.9 gives a cosine near 0.74). */
  const anotherPhoto = (template: Float32Array, noise: number) => {
    const other = unit(Float32Array.from({ length: dimensions }, random));
    return unit(template.map((value, i) => value + noise * (other[i] as number)));
  };
  return { person, anotherPhoto };
}

function unit(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) * scale;
  return vector;
}

/** The bench's last line: one JSON object. */
export function summary(figures: Record<string, unknown>) {
  console.log(JSON.stringify(figures));
}

const ROOT = new URL("../../../", import.meta.url).pathname;

type LogLine = { time: number; msg: string; [field: string]: unknown };

/** A child process whose stdout lines are kept; pino's JSON lines are parsed. */
function watched(child: ChildProcess) {
  const lines: string[] = [];
  const logs: LogLine[] = [];
  const listeners = new Set<() => void>();
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (line.startsWith("{")) {
        try {
          logs.push(JSON.parse(line) as LogLine);
        } catch {
          // not pino's
        }
      }
    }
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  /** Resolves with the first value `check` returns for the output so far, or rejects after `timeoutMs`. */
  const waitFor = <T>(what: string, timeoutMs: number, check: () => T | undefined) =>
    new Promise<T>((resolve, reject) => {
      const attempt = () => {
        const found = check();
        if (found === undefined) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        listeners.delete(attempt);
      };
      listeners.add(attempt);
      attempt();
      void exited.then((code) => {
        if (!listeners.has(attempt)) return;
        done();
        reject(new Error(`exited (${code}) while waiting for ${what}: ${lines.slice(-3).join(" | ")}`));
      });
    });
  return { child, pid: child.pid ?? -1, lines, logs, exited, waitFor };
}

/** The camera simulator in a process of its own (as `npm run cameras:sim` runs it). */
export async function startSimulatorProcess(count: number) {
  const child = spawn(
    `${ROOT}node_modules/.bin/tsx`,
    [`${ROOT}workers/camera-sim/src/cli.ts`, "--count", String(count), "--port", "0"],
    { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"], detached: true },
  );
  const simulator = watched(child);
  await simulator.waitFor("the camera simulator", 180_000, () =>
    simulator.lines.some((line) => line.includes("[camera-sim] running")) ? true : undefined,
  );
  const urls = simulator.lines
    .filter((line) => line.startsWith("rtsp://"))
    .map((line) => line.split("\t")[0] as string);
  const port = Number(new URL(urls[0] ?? "rtsp://x:0").port);
  // The simulator's publishers and the workers' readers must not outlive the benchmark, however it ends.
  killWithParent(child, "SIGKILL", { group: true });
  return {
    ...simulator,
    urls,
    port,
    stop: () => stopGroup(child),
  };
}

export type WorkerProcess = ReturnType<typeof startWorkerProcess>;

/**
 * An inference worker as `npm run worker` runs it (src/main.ts), in one node process (`--import
 * tsx`, so its pid is the worker's) and a process group of its own, logging at info level.
 */
export function startWorkerProcess(environment: Record<string, string>, nodeArgs: string[] = []) {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", `${ROOT}workers/inference/src/main.ts`], {
    cwd: `${ROOT}workers/inference`,
    // biome-ignore lint/style/noProcessEnv: the worker reads its configuration from the environment
    env: { ...process.env, LOG_LEVEL: "info", ...environment },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const worker = watched(child);
  // As the simulator's: killed with the benchmark, however it ends.
  killWithParent(child, "SIGKILL", { group: true });
  const ready = worker.waitFor("the worker to be ready", 120_000, () =>
    worker.logs.some((log) => log.msg === "inference worker ready") ? true : undefined,
  );
  ready.catch(() => {});
  return { ...worker, ready, stop: (signal: NodeJS.Signals = "SIGTERM") => stopGroup(child, signal) };
}
