// `npm run bench:fleet [-- --cameras N]`: the fleet at scale. Seeds N cameras (default 10,000)
// over N/50 sites in a private database with bulk SQL, then measures the fleet list as the
// procedure runs it (in-process tRPC caller) and as a manager's browser gets it (HTTP tRPC on the
// real web app, signed in): first pages with filters, search and every sort, and "Next" pages
// by cursor deep into the list. Then the live relay: the time from opening a camera page to its
// first painted frame, on a cold relay (no ffmpeg running for the camera: the first viewer) and
// on a warm one (someone already watching), and the relay's CPU per viewed camera.
// Needs `npm run build` (the web app serves its production build). Last line: a JSON summary.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createCaller, createContext, unknownLeases } from "@consentry/api";
import { loadPrincipal, type Principal } from "@consentry/auth";
import { startCameraSimulator } from "@consentry/camera-sim";
import { encryptString } from "@consentry/crypto";
import { createUserWithPassword, schema, sql } from "@consentry/db";
import { createTestDatabase, openCameraNetworks } from "@consentry/db/testing";
import { startGateway } from "@consentry/gateway";
import { createFileStore } from "@consentry/storage";
import { chromium, type Page } from "@playwright/test";
import { pino } from "pino";
import { freePort } from "./lib/processes";
import { services } from "./lib/run";
import { BENCH_PASSWORD, signIn, startWebApp, summary, timed, trpcQuery } from "./lib/web-app";

const { values: args } = parseArgs({ options: { cameras: { type: "string", default: "10000" } } });
const CAMERAS = Number(args.cameras);
if (!Number.isInteger(CAMERAS) || CAMERAS < 1000) throw new Error(`--cameras must be an integer of at least 1000`);
const SITES = Math.round(CAMERAS / 50);
const SAMPLES = 210;
const PAGE_SIZE = 25;
/** How far "Next" goes in the deep-page samples. */
const DEEP_PAGES = 40;
const COLD_RUNS = 10;
const WARM_RUNS = 5;
/** The bench's gateway stops an unwatched relay after 1 s (default 10 s), so cold runs need not wait long. */
const IDLE_STOP_MS = 1_000;

type ListInput = {
  orgId: string;
  pageSize: number;
  cursor?: string;
  siteId?: string;
  status?: "offline";
  search?: string;
  frEnabled?: boolean;
  sort?: "name" | "site" | "status" | "lastSeen";
  direction?: "asc" | "desc";
};
type ListPage = { items: unknown[]; nextCursor: string | null; total: { count: number; capped: boolean } | null };

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
process.env.DATABASE_URL = svc.databaseUrl;
const database = await createTestDatabase(svc.databaseUrl);
const { db } = database;
const closers: (() => Promise<unknown> | unknown)[] = [];

try {
  // ── seed, in bulk: one INSERT … SELECT per table ──
  const started = performance.now();
  const [org] = await db.insert(schema.organizations).values({ name: "Bench Org", slug: "bench" }).returning();
  const orgId = org?.id as string;
  // The simulator's streams are on 127.0.0.1, which the camera-address policy refuses unless allowed.
  await openCameraNetworks(db, orgId);
  const email = "bench-manager@bench.local";
  const userId = await createUserWithPassword(db, { email, name: "Bench", password: BENCH_PASSWORD });
  await db.insert(schema.memberships).values({ orgId, userId, role: "manager" });
  await db.execute(sql`
    insert into sites (org_id, code, name, address, region_code, kind)
    select ${orgId}, 'S-B' || lpad(g::text, 5, '0'), 'Bench Site ' || lpad(g::text, 4, '0'), g || ' Bench Road', '310101', 'office'
    from generate_series(0, ${SITES - 1}) g`);
  const sealed = encryptString("rtsp://bench:secret@10.0.0.1:554/stream", "cameras.rtsp_url");
  // Camera g: site g mod SITES, "Gate <g mod 50> camera <g>", statuses as a real fleet has them
  // (half online), face recognition on every third, every seventh never seen.
  await db.execute(sql`
    insert into cameras (org_id, site_id, name, rtsp_url_enc, rtsp_url_masked, location_type, fr_enabled, status, last_seen_at)
    select ${orgId}, s.id, 'Gate ' || (g % 50) || ' camera ' || g, ${sealed}, 'rtsp://bench:***@10.0.0.1:554/stream',
           'entrance', g % 3 = 0,
           (array['online','online','online','online','degraded','offline','unreachable','unknown'])[1 + g % 8]::camera_status,
           case when g % 7 <> 0 then now() - g * interval '1 second' end
    from generate_series(0, ${CAMERAS - 1}) g
    join (select id, row_number() over (order by code) - 1 as n from sites where org_id = ${orgId}) s on s.n = g % ${SITES}`);
  await db.execute(sql`analyze`);
  const siteIds = (await db.select({ id: schema.sites.id }).from(schema.sites)).map((site) => site.id);
  console.log(`seeded ${SITES} sites and ${CAMERAS} cameras in ${Math.round(performance.now() - started)} ms`);

  // ── in-process: the procedure and its SQL, no HTTP ──
  const principal = (await loadPrincipal(db, userId)) as Principal;
  const noJobs = async () => {};
  const caller = createCaller(
    createContext({
      db,
      principal,
      jobs: {
        probeCamera: noJobs,
        deleteTemplates: async () => "none",
        erase: noJobs,
        enrol: noJobs,
        invalidate: noJobs,
        close: noJobs,
      },
      leases: unknownLeases,
      storage: createFileStore(mkdtempSync(join(tmpdir(), "consentry-bench-"))),
    }),
  );
  const listInProcess = (input: ListInput) => caller.cameras.list(input) as Promise<ListPage>;
  const calls = await listInputs(orgId, siteIds, listInProcess);
  for (const { input } of calls.slice(0, 20)) await listInProcess(input); // warm-up
  const queryTimes: number[] = [];
  for (const { input } of calls) queryTimes.push(await timed(() => listInProcess(input)));
  const query = summary(queryTimes);
  console.log(
    `fleet list query (in-process caller, ${calls.length} calls): p50 ${query.p50} ms, p95 ${query.p95} ms, max ${query.max} ms`,
  );
  console.log(`  by kind (ms): ${kindsText(byKind(calls, queryTimes))}`);

  // ── HTTP: the real web app, signed in as the manager ──
  const gatewayPort = await freePort();
  const web = await startWebApp({
    databaseUrl: database.url,
    env: { CONSENTRY_GATEWAY_URL: `ws://127.0.0.1:${gatewayPort}` },
  });
  closers.push(web.stop);
  const cookie = await signIn(web.baseUrl, email, BENCH_PASSWORD);
  const httpQuery = trpcQuery(web.baseUrl, cookie);
  const listOverHttp = (input: ListInput) => httpQuery<ListPage>("cameras.list", input);
  for (const { input } of calls.slice(0, 20)) await listOverHttp(input);
  const listTimes: number[] = [];
  for (const { input } of calls) listTimes.push(await timed(() => listOverHttp(input)));
  const list = summary(listTimes);
  console.log(
    `tRPC list call (HTTP, signed in, ${calls.length} calls): p50 ${list.p50} ms, p95 ${list.p95} ms, max ${list.max} ms`,
  );
  const listKinds = byKind(calls, listTimes);
  console.log(`  by kind (ms): ${kindsText(listKinds)}`);
  const firstPage = await listOverHttp({ orgId, pageSize: PAGE_SIZE });
  console.log(`first page says: ${firstPage.total?.count}${firstPage.total?.capped ? "+" : ""} cameras`);

  // ── live relay: time to first frame, cold and warm; CPU per viewed camera ──
  const sim = await startCameraSimulator({ count: 2, port: 0, log: () => {} });
  closers.push(() => sim.stop());
  const gateway = await startGateway({
    db,
    port: gatewayPort,
    secret: (await import("@consentry/env")).env.CONSENTRY_LIVE_VIEW_SECRET,
    redis: { url: svc.redisUrl, prefix: `bench-fleet-${process.pid}` },
    idleStopMs: IDLE_STOP_MS,
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
  const [cameraA, cameraB] = liveCameras.map((camera) => camera.id) as [string, string];

  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-background-networking", "--disable-component-update"],
  });
  closers.push(() => browser.close());
  const context = await browser.newContext({ locale: "en-US" });
  await context.addCookies([
    { name: cookie.split("=")[0] as string, value: cookie.split("=").slice(1).join("="), url: web.baseUrl },
  ]);
  /** Opens the camera page, starts live view, resolves with the ms until a non-black frame is painted. */
  const watch = async (cameraId: string): Promise<{ page: Page; ms: number }> => {
    const page = await context.newPage();
    const opened = performance.now();
    await page.goto(`${web.baseUrl}/cameras/${cameraId}`);
    await page.getByRole("button", { name: "Watch live" }).click();
    // Every live view gives a reason first (the video-access register).
    const dialog = page.getByRole("dialog", { name: "Why are you opening the live view?" });
    await dialog.getByLabel("Reason").selectOption("maintenance");
    await dialog.getByRole("button", { name: "Open live view" }).click();
    await page.waitForFunction(paintedFrame, undefined, { timeout: 30_000, polling: 50 });
    return { page, ms: performance.now() - opened };
  };
  const relaysStopped = async () => {
    for (const until = performance.now() + IDLE_STOP_MS + 15_000; gateway.stats().relays > 0; ) {
      if (performance.now() > until) throw new Error("a relay did not stop after its last viewer left");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  // Cold: nobody watches, no ffmpeg runs for the camera; the relay starts for this viewer.
  const cold: number[] = [];
  for (let run = 0; run < COLD_RUNS; run++) {
    await relaysStopped();
    const { page, ms } = await watch(run % 2 === 0 ? cameraA : cameraB);
    cold.push(ms);
    console.log(`first painted frame, cold relay, run ${run + 1}: ${Math.round(ms)} ms`);
    await page.close();
  }
  // Warm: camera A is watched in one tab; another tab opens it and joins the running relay.
  await relaysStopped();
  const watcher = await watch(cameraA);
  const warm: number[] = [];
  for (let run = 0; run < WARM_RUNS; run++) {
    const { page, ms } = await watch(cameraA);
    warm.push(ms);
    console.log(`first painted frame, warm relay, run ${run + 1}: ${Math.round(ms)} ms`);
    await page.close();
  }
  // CPU of the relay's ffmpeg processes while both cameras are watched.
  const second = await watch(cameraB);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const relayCpu = await measureFfmpegCpu(5000);
  const perCamera = relayCpu.processes > 0 ? relayCpu.percent / relayCpu.processes : 0;
  console.log(
    `live relay: ${relayCpu.processes} ffmpeg relay(s) at ${relayCpu.percent.toFixed(1)}% CPU of one core in total, ${perCamera.toFixed(1)}% per viewed camera`,
  );
  await Promise.all([watcher.page.close(), second.page.close()]);

  const coldFrames = summary(cold);
  const warmFrames = summary(warm);
  console.log(
    `first painted frame: cold relay (${COLD_RUNS} runs) p50 ${Math.round(coldFrames.p50)} ms, max ${Math.round(coldFrames.max)} ms; ` +
      `warm relay (${WARM_RUNS} runs) p50 ${Math.round(warmFrames.p50)} ms, max ${Math.round(warmFrames.max)} ms`,
  );
  console.log(
    JSON.stringify({
      list_p50_ms: list.p50,
      list_p95_ms: list.p95,
      list_calls: calls.length,
      list_p95_by_kind_ms: Object.fromEntries(listKinds.map(({ name, p95 }) => [name, p95])),
      query_p50_ms: query.p50,
      query_p95_ms: query.p95,
      cameras: CAMERAS,
      sites: SITES,
      relay_cpu_percent_per_camera: Number(perCamera.toFixed(1)),
      first_frame_cold_p50_ms: Math.round(coldFrames.p50),
      first_frame_cold_max_ms: Math.round(coldFrames.max),
      first_frame_cold_runs: COLD_RUNS,
      first_frame_warm_p50_ms: Math.round(warmFrames.p50),
      first_frame_warm_max_ms: Math.round(warmFrames.max),
      first_frame_warm_runs: WARM_RUNS,
    }),
  );
} finally {
  for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
  await database.drop();
  await svc.stop();
}

/**
 * The list calls a manager's fleet page makes: first pages (filters, search, every sort) and
 * "Next" pages by cursor, up to DEEP_PAGES into the name and site sorts (their cursors found
 * by walking the list once beforehand, as the browser did to get there).
 */
async function listInputs(orgId: string, siteIds: string[], list: (input: ListInput) => Promise<ListPage>) {
  const cursors = async (input: ListInput) => {
    const found: string[] = [];
    for (let cursor: string | undefined, i = 0; i < DEEP_PAGES; i++) {
      const page = await list({ ...input, cursor });
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
      found.push(cursor);
    }
    return found;
  };
  const byName = await cursors({ orgId, pageSize: PAGE_SIZE });
  const bySite = await cursors({ orgId, pageSize: PAGE_SIZE, sort: "site" });
  const variants: [string, (i: number) => Omit<ListInput, "orgId" | "pageSize">][] = [
    ["first page", () => ({})],
    ["one site", (i) => ({ siteId: siteIds[i % siteIds.length] })],
    ["offline", () => ({ status: "offline" })],
    ["search", (i) => ({ search: `gate ${i % 50}` })],
    ["last seen, newest first", () => ({ sort: "lastSeen", direction: "desc" })],
    ["by site, next pages", (i) => ({ sort: "site", cursor: bySite[i % bySite.length] })],
    ["face recognition, by status", () => ({ frEnabled: true, sort: "status" })],
    ["by name, next pages", (i) => ({ cursor: byName[i % byName.length] })],
    ["by name, Z to A", () => ({ sort: "name", direction: "desc" })],
    ["offline, by site", () => ({ status: "offline", sort: "site" })],
  ];
  return Array.from({ length: SAMPLES }, (_, i) => {
    const [name, variant] = variants[i % variants.length] as (typeof variants)[number];
    return { name, input: { orgId, pageSize: PAGE_SIZE, ...variant(i) } };
  });
}

/** p50 and p95 per kind of call, worst p95 first. */
function byKind(calls: { name: string }[], times: number[]) {
  const groups = new Map<string, number[]>();
  for (const [i, call] of calls.entries()) groups.set(call.name, [...(groups.get(call.name) ?? []), times[i] ?? 0]);
  return [...groups.entries()].map(([name, values]) => ({ name, ...summary(values) })).sort((a, b) => b.p95 - a.p95);
}
function kindsText(kinds: ReturnType<typeof byKind>) {
  return kinds.map(({ name, p50, p95 }) => `${name} p50 ${p50} / p95 ${p95}`).join("; ");
}

/** In the page: the live canvas shows something brighter than black. */
function paintedFrame() {
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
