// `npm run demo`: services, migrations, demo data, the demo person's enrolment, then the web
// app, gateway, workers and camera simulator. The banner comes only when every part is up; a
// part that fails to start names itself and why, and the demo stops with a non-zero exit. Once
// up, a part that exits is restarted after 1 s, 2 s, 4 s … 30 s (scripts/lib/parts.ts), and
// only Ctrl-C stops the demo.
import { readFile } from "node:fs/promises";
import { enrolDemoPerson } from "@consentry/api/demo";
import { createDatabase } from "@consentry/db";
import { ensureAppLogin, runMigrations } from "@consentry/db/migrate";
import {
  DEMO_CAMERA_COUNT,
  DEMO_INFERENCE_CAPACITY,
  DEMO_LOGINS,
  DEMO_PASSWORD,
  DEMO_RECOGNISED_PERSON,
  seedDemo,
} from "@consentry/db/seed";
import { env as appEnv } from "@consentry/env";
import { facePath } from "@consentry/fixtures";
import { startDevMailServer } from "@consentry/mail/dev-server";
import { countWorkers, createJobProducer } from "@consentry/queue";
import { createFileStore } from "@consentry/storage";
import { MODELS } from "@consentry/vision";
import { answers, PartFailed, Parts } from "./lib/parts";
import { root, run, services } from "./lib/run";

const port = Number(process.env.PORT ?? 3000);
const gatewayPort = Number(process.env.GATEWAY_PORT ?? port + 1);
const cameraSimPort = Number(process.env.CAMERA_SIM_PORT ?? 8554);
const baseUrl = `http://localhost:${port}`;
const parts = new Parts();
let svc: Awaited<ReturnType<typeof services>> | undefined;
let smtp: Awaited<ReturnType<typeof startDevMailServer>> | undefined;
let stopping = false;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("\n› stopping…");
  await parts.stop();
  await smtp?.stop();
  await svc?.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

/** Workers attached to these queues, asked of Redis (anonymous /api/health says only up or down). */
async function queuesServed(queues: string[]) {
  if (!svc) return false;
  const workers = await countWorkers(svc.redisUrl, appEnv.QUEUE_PREFIX).catch(() => null);
  return queues.every((queue) => (workers?.[queue] ?? 0) > 0);
}

try {
  svc = await services({
    databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry",
    redisUrl: "redis://127.0.0.1:6379",
  });
  smtp = await startDevMailServer({ dir: `${root}.data/mailbox` });
  const storageDir = process.env.CONSENTRY_STORAGE_DIR ?? `${root}.data/storage`;
  // Migrations and demo data as the owner (svc.databaseUrl); everything else logs in as the
  // application's role, which owns nothing and cannot rewrite the audit log.
  console.log("› applying migrations");
  await runMigrations(svc.databaseUrl);
  const appDatabaseUrl = await ensureAppLogin(svc.databaseUrl);
  const env = {
    ...process.env,
    APP_ENV: "development",
    DATABASE_URL: appDatabaseUrl,
    REDIS_URL: svc.redisUrl,
    PORT: String(port),
    GATEWAY_PORT: String(gatewayPort),
    CONSENTRY_GATEWAY_URL: process.env.CONSENTRY_GATEWAY_URL ?? `ws://localhost:${gatewayPort}`,
    CAMERA_SIM_PORT: String(cameraSimPort),
    BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? baseUrl,
    CONSENTRY_STORAGE_DIR: storageDir,
    // Portal mail goes to a real SMTP server in this process; read it at /dev/mailbox.
    SMTP_URL: process.env.SMTP_URL ?? smtp.url,
    CONSENTRY_DEV_MAILBOX_DIR: `${root}.data/mailbox`,
    // Every seeded face-recognition camera, and one more that a visitor adds.
    INFERENCE_MAX_CAMERAS: process.env.INFERENCE_MAX_CAMERAS ?? String(DEMO_INFERENCE_CAPACITY),
    NEXT_TELEMETRY_DISABLED: "1",
    TURBO_TELEMETRY_DISABLED: "1",
  };

  const { db, close } = createDatabase(svc.databaseUrl, { applicationName: "consentry-demo-seed", max: 2 });
  const jobs = createJobProducer(svc.redisUrl, appEnv.QUEUE_PREFIX);
  try {
    const { created } = await seedDemo(db, { cameraSimPort });
    console.log(created ? "› demo data seeded" : "› demo data already present");
    // The inference worker turns this into the person's template once it is up.
    const enrolment = await enrolDemoPerson({
      db,
      jobs,
      storage: createFileStore(storageDir),
      photo: await readFile(facePath(DEMO_RECOGNISED_PERSON.photo)),
      modelId: MODELS.embedding.version,
    });
    if ("missing" in enrolment) console.log(`› no demo enrolment: ${enrolment.missing} is missing`);
    else if (enrolment.created) console.log(`› enrolment of ${DEMO_RECOGNISED_PERSON.pseudonym} queued`);
  } finally {
    await jobs.close();
    await close();
  }

  console.log("› building the web app (cached after the first run)");
  if (
    (await run("npx", ["turbo", "run", "build", "--filter=@consentry/web", "--output-logs=errors-only"], env)) !== 0
  ) {
    throw new PartFailed("web app", "the build failed; see the messages above");
  }

  // The simulator first: the workers connect to its cameras as soon as they start. Camera 7
  // drops out and comes back now and then.
  const simArgs = ["--count", String(DEMO_CAMERA_COUNT), "--port", String(cameraSimPort), "--flaky", "7:30:90"];
  parts.start({
    name: "camera simulator",
    command: "npm",
    args: ["run", "sim", "-w", "@consentry/camera-sim", "--", ...simArgs],
    env,
    ready: async (part) => part.tail.some((line) => line.includes("[camera-sim] running")),
    readyWithinMs: 120_000,
  });
  await parts.waitUntilReady();

  const npmStart = (workspace: string, extra: string[] = []) => ["start", "-w", workspace, ...extra];
  parts.start({
    name: "web app",
    command: "npm",
    args: npmStart("@consentry/web", ["--", "-p", String(port)]),
    env,
    ready: () => answers(`${baseUrl}/api/health`),
    readyWithinMs: 120_000,
  });
  parts.start({
    name: "ops worker",
    command: "npm",
    args: npmStart("@consentry/ops-worker"),
    env,
    ready: () => queuesServed(["ops", "camera-probe", "dsr-erasure"]),
    readyWithinMs: 120_000,
  });
  parts.start({
    name: "inference worker",
    command: "npm",
    args: npmStart("@consentry/inference-worker"),
    env,
    ready: () => queuesServed(["enrollment", "stream-analysis"]),
    readyWithinMs: 120_000,
  });
  parts.start({
    name: "gateway",
    command: "npm",
    args: npmStart("@consentry/gateway"),
    env,
    ready: () => answers(`http://127.0.0.1:${gatewayPort}/health`),
    readyWithinMs: 60_000,
  });
  await parts.waitUntilReady();
  if (stopping) process.exit(1);

  console.log(`
━━ Consentry demo is running ━━
  Dashboard     ${baseUrl}
  Recognition   ${baseUrl}/sites → ${DEMO_RECOGNISED_PERSON.siteName}: ${DEMO_RECOGNISED_PERSON.pseudonym} appears within a minute
  Health        ${baseUrl}/api/health (up or down; the details signed in as the platform admin)
  Public portal ${baseUrl}/portal (codes arrive at ${baseUrl}/dev/mailbox)
  Queues        ${baseUrl}/admin/queues (platform admin)
  Live view     ws://localhost:${gatewayPort} (gateway)
  Cameras       rtsp://127.0.0.1:${cameraSimPort}/cam1 … /cam${DEMO_CAMERA_COUNT} (simulator)
  Inference     ${env.INFERENCE_MAX_CAMERAS} cameras at once (INFERENCE_MAX_CAMERAS)
  PostgreSQL    ${mask(svc.databaseUrl)}${svc.started.includes("postgres") ? " (private, data in .data/postgres)" : ""}
                the app, workers and gateway log in as ${new URL(appDatabaseUrl).username}
  Redis         ${mask(svc.redisUrl)}${svc.started.includes("redis") ? " (private)" : ""}

  Demo logins (password for all: ${DEMO_PASSWORD})
${DEMO_LOGINS.map((login) => `    ${login.email.padEnd(26)} ${login.role}`).join("\n")}

  A part that crashes is restarted (after 1 s, 2 s, 4 s … 30 s); Ctrl-C stops everything this command started.
`);
  await parts.failed;
} catch (error) {
  if (!stopping) {
    console.error(
      `\n✗ ${error instanceof PartFailed ? error.message : `demo failed: ${String((error as Error)?.message ?? error)}`}`,
    );
    await shutdown(1);
  }
}

function mask(url: string) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
