// `npm run bench:fleet`: the fleet at scale. Seeds 10,000 cameras over 200 sites in a private
// database, then measures the fleet list as PostgreSQL runs it (in-process tRPC caller) and as a
// browser gets it (HTTP tRPC on the real web app), the live relay's CPU per viewed camera, and
// the time from opening a camera page to its first painted frame. Last line: a JSON summary.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCaller, createContext, unknownLeases } from "@consentry/api";
import { loadPrincipal, type Principal } from "@consentry/auth";
import { startCameraSimulator } from "@consentry/camera-sim";
import { encryptString } from "@consentry/crypto";
import { createUserWithPassword, schema, sql } from "@consentry/db";
import { createTestDatabase, openCameraNetworks } from "@consentry/db/testing";
import { startGateway } from "@consentry/gateway";
import { createFileStore } from "@consentry/storage";
import { chromium } from "@playwright/test";
import { pino } from "pino";
import { freePort } from "./lib/processes";
import { services, stopGroup } from "./lib/run";

const SITES = 200;
const CAMERAS = 10_000;
const SAMPLES = 200;
const PASSWORD = "bench-password-2026";
const STATUSES = ["online", "online", "online", "online", "degraded", "offline", "unreachable", "unknown"] as const;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0).toFixed(2));
};
const summary = (values: number[]) => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  max: percentile(values, 100),
});

/** The list calls a fleet page makes: first page, filters, search, sorts, a deep page. */
function listInputs(orgId: string, siteIds: string[]) {
  return Array.from({ length: SAMPLES }, (_, i) => {
    const variants = [
      {},
      { siteId: siteIds[i % siteIds.length] },
      { status: "offline" as const },
      { search: `gate ${i % 50}` },
      { sort: "lastSeen" as const, direction: "desc" as const },
      { sort: "site" as const, page: 1 + (i % 40) },
      { frEnabled: true, sort: "status" as const },
    ];
    return { orgId, pageSize: 25, ...variants[i % variants.length] };
  });
}

async function time<T>(work: () => Promise<T>) {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
process.env.DATABASE_URL = svc.databaseUrl;
const database = await createTestDatabase(svc.databaseUrl);
const { db } = database;
const children: ChildProcess[] = [];
const closers: (() => Promise<unknown>)[] = [];

try {
  // ── seed ──
  const started = performance.now();
  const [org] = await db.insert(schema.organizations).values({ name: "Bench Org", slug: "bench" }).returning();
  const orgId = org?.id as string;
  // The simulator's streams are on 127.0.0.1, which the camera-address policy refuses unless allowed.
  await openCameraNetworks(db, orgId);
  const email = "bench-manager@bench.local";
  const userId = await createUserWithPassword(db, { email, name: "Bench", password: PASSWORD });
  await db.insert(schema.memberships).values({ orgId, userId, role: "manager" });
  const sites = await db
    .insert(schema.sites)
    .values(
      Array.from({ length: SITES }, (_, i) => ({
        orgId,
        code: `S-B${String(i).padStart(5, "0")}`,
        name: `Bench Site ${String(i).padStart(3, "0")}`,
        address: `${i} Bench Road`,
        regionCode: "310101",
        kind: "office" as const,
      })),
    )
    .returning({ id: schema.sites.id });
  const siteIds = sites.map((site) => site.id);
  const sealed = encryptString("rtsp://bench:secret@10.0.0.1:554/stream", "cameras.rtsp_url");
  for (let offset = 0; offset < CAMERAS; offset += 1000) {
    await db.insert(schema.cameras).values(
      Array.from({ length: 1000 }, (_, j) => {
        const i = offset + j;
        return {
          orgId,
          siteId: siteIds[i % SITES] as string,
          name: `Gate ${i % 50} camera ${i}`,
          rtspUrlEnc: sealed,
          rtspUrlMasked: "rtsp://bench:***@10.0.0.1:554/stream",
          locationType: "entrance" as const,
          frEnabled: i % 3 === 0,
          status: STATUSES[i % STATUSES.length],
          lastSeenAt: i % 7 === 0 ? null : new Date(Date.now() - i * 1000),
        };
      }),
    );
  }
  await db.execute(sql`analyze`);
  console.log(`seeded ${SITES} sites and ${CAMERAS} cameras in ${Math.round(performance.now() - started)} ms`);

  // ── in-process: the procedure and its SQL, no HTTP ──
  const principal = (await loadPrincipal(db, userId)) as Principal;
  const jobs = {
    probeCamera: async () => {},
    deleteTemplates: async () => "none",
    erase: async () => {},
    enrol: async () => {},
    invalidate: async () => {},
    close: async () => {},
  };
  const caller = createCaller(
    createContext({
      db,
      principal,
      jobs,
      leases: unknownLeases,
      storage: createFileStore(mkdtempSync(join(tmpdir(), "consentry-bench-"))),
    }),
  );
  const inputs = listInputs(orgId, siteIds);
  for (const input of inputs.slice(0, 20)) await caller.cameras.list(input); // warm-up
  const queryTimes: number[] = [];
  for (const input of inputs) queryTimes.push(await time(() => caller.cameras.list(input)));
  const query = summary(queryTimes);
  console.log(
    `fleet list query (in-process caller, ${SAMPLES} calls): p50 ${query.p50} ms, p95 ${query.p95} ms, max ${query.max} ms`,
  );

  // ── HTTP: the real web app, signed in ──
  const webPort = await freePort();
  const gatewayPort = await freePort();
  const baseUrl = `http://127.0.0.1:${webPort}`;
  const env = {
    ...process.env,
    DATABASE_URL: database.url,
    BETTER_AUTH_URL: baseUrl,
    CONSENTRY_GATEWAY_URL: `ws://127.0.0.1:${gatewayPort}`,
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
  };
  const web = spawn("npx", ["tsx", "server.ts", "-p", String(webPort), "-H", "127.0.0.1"], {
    cwd: "apps/web",
    env,
    stdio: "ignore",
    detached: true,
  });
  children.push(web);
  for (
    let i = 0;
    i < 120 &&
    !(await fetch(`${baseUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    ));
    i++
  ) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const signIn = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const call = (input: unknown) =>
    fetch(`${baseUrl}/api/trpc/cameras.list?input=${encodeURIComponent(JSON.stringify({ json: input }))}`, {
      headers: { cookie },
    }).then(async (response) => {
      if (!response.ok) throw new Error(`tRPC list call failed: ${response.status} ${await response.text()}`);
      return response.json();
    });
  for (const input of inputs.slice(0, 20)) await call(input);
  const listTimes: number[] = [];
  for (const input of inputs) listTimes.push(await time(() => call(input)));
  const list = summary(listTimes);
  console.log(
    `tRPC list call (HTTP, signed in, ${SAMPLES} calls): p50 ${list.p50} ms, p95 ${list.p95} ms, max ${list.max} ms`,
  );

  // ── live relay: CPU per viewed camera, time to first frame ──
  const sim = await startCameraSimulator({ count: 2, port: 0, log: () => {} });
  closers.push(() => sim.stop());
  const gateway = await startGateway({
    db,
    port: gatewayPort,
    secret: (await import("@consentry/env")).env.CONSENTRY_LIVE_VIEW_SECRET,
    redis: { url: svc.redisUrl, prefix: `bench-fleet-${process.pid}` },
    logger: pino({ level: "warn" }),
  });
  closers.push(() => gateway.close());
  const liveCameras = await db
    .insert(schema.cameras)
    .values(
      [1, 2].map((index) => ({
        orgId,
        siteId: siteIds[0] as string,
        name: `Live ${index}`,
        rtspUrlEnc: encryptString(sim.urlOf(index), "cameras.rtsp_url"),
        rtspUrlMasked: sim.urlOf(index),
        locationType: "lobby" as const,
      })),
    )
    .returning({ id: schema.cameras.id });

  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
  });
  closers.push(() => browser.close());
  const context = await browser.newContext({ locale: "en-US" });
  await context.addCookies([
    { name: cookie.split("=")[0] as string, value: cookie.split("=").slice(1).join("="), url: baseUrl },
  ]);
  const firstFrames: number[] = [];
  for (const [run, camera] of [liveCameras[0], liveCameras[1], liveCameras[0]].entries()) {
    const page = await context.newPage();
    const opened = performance.now();
    await page.goto(`${baseUrl}/cameras/${camera?.id}`);
    await page.getByRole("button", { name: "Watch live" }).click();
    await page.waitForFunction(
      () => {
        const canvas = document.querySelector<HTMLCanvasElement>("[data-testid=live-canvas]");
        if (!canvas || canvas.width === 0) return false;
        const copy = document.createElement("canvas");
        copy.width = 32;
        copy.height = 24;
        const context2d = copy.getContext("2d") as CanvasRenderingContext2D;
        context2d.drawImage(canvas, 0, 0, 32, 24);
        const { data } = context2d.getImageData(0, 0, 32, 24);
        for (let i = 0; i < data.length; i += 4)
          if ((data[i] ?? 0) + (data[i + 1] ?? 0) + (data[i + 2] ?? 0) > 60) return true;
        return false;
      },
      undefined,
      { timeout: 30_000, polling: 50 },
    );
    firstFrames.push(performance.now() - opened);
    console.log(`first painted frame, run ${run + 1}: ${Math.round(performance.now() - opened)} ms`);
    if (run < 2) continue;
    // CPU of the relay's ffmpeg processes while both cameras are watched.
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const relayCpu = await measureFfmpegCpu(5000);
  const perCamera = relayCpu.processes > 0 ? relayCpu.percent / relayCpu.processes : 0;
  console.log(
    `live relay: ${relayCpu.processes} ffmpeg relay(s) at ${relayCpu.percent.toFixed(1)}% CPU of one core in total, ${perCamera.toFixed(1)}% per viewed camera`,
  );

  const firstFrame = summary(firstFrames);
  console.log(
    JSON.stringify({
      list_p50_ms: list.p50,
      list_p95_ms: list.p95,
      query_p50_ms: query.p50,
      query_p95_ms: query.p95,
      cameras: CAMERAS,
      sites: SITES,
      relay_cpu_percent_per_camera: Number(perCamera.toFixed(1)),
      first_frame_p50_ms: Math.round(firstFrame.p50),
      first_frame_max_ms: Math.round(firstFrame.max),
    }),
  );
} finally {
  for (const close of closers.reverse()) await close().catch(() => {});
  for (const child of children) stopGroup(child);
  await database.drop();
  await svc.stop();
}

/** CPU of the gateway's ffmpeg relays (children of this process), from /proc, over `ms`. */
async function measureFfmpegCpu(ms: number) {
  const ticks = () => {
    const found = new Map<number, number>();
    const children = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter(Boolean);
    for (const pid of children.map(Number)) {
      try {
        if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("mpeg1video")) continue;
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
        found.set(pid, Number(fields[11]) + Number(fields[12]));
      } catch {
        // exited meanwhile
      }
    }
    return found;
  };
  const before = ticks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = ticks();
  let used = 0;
  for (const [pid, value] of after) used += value - (before.get(pid) ?? value);
  return { processes: after.size, percent: (used / 100 / (ms / 1000)) * 100 };
}
