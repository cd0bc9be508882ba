import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { enrolDemoPerson } from "@consentry/api/demo";
import { startCameraSimulator } from "@consentry/camera-sim";
import { ensureAppLogin } from "@consentry/db/migrate";
import { DEMO_CAMERA_COUNT, DEMO_INFERENCE_CAPACITY, DEMO_RECOGNISED_PERSON, seedDemo } from "@consentry/db/seed";
import { createTestDatabase } from "@consentry/db/testing";
import { facePath } from "@consentry/fixtures";
import { startDevMailServer } from "@consentry/mail/dev-server";
import { createJobProducer } from "@consentry/queue";
import { createFileStore } from "@consentry/storage";
import { MODELS } from "@consentry/vision";

// Runs the Playwright suite against its own database, queue prefix and ports, with the real
// camera simulator, ops worker (probes), inference worker and live-view gateway beside the web
// app. The database holds the demo world too, with its person enrolled through the real job, so
// the tests see what a visitor of `npm run demo` sees; tests add their own organisations beside it.
// The web app must be built first (`npm run build -w @consentry/web`; `npm test` does it).

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const database = await createTestDatabase();
// As in production: the web app, workers and gateway log in as the application's role, which owns
// nothing; the tests themselves (E2E_DATABASE_URL) and the seeding use the owner's connection.
const appDatabaseUrl = await ensureAppLogin(database.url);
const storageDir = await mkdtemp(join(tmpdir(), "consentry-e2e-storage-"));
const mailboxDir = await mkdtemp(join(tmpdir(), "consentry-e2e-mail-"));
const smtp = await startDevMailServer({ dir: mailboxDir });
const sim = await startCameraSimulator({ count: DEMO_CAMERA_COUNT, port: 0, log: () => {} });
const queuePrefix = `e2e-${randomBytes(4).toString("hex")}`;
await seedDemo(database.db, { cameraSimPort: sim.port });
const jobs = createJobProducer(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", queuePrefix);
const enrolment = await enrolDemoPerson({
  db: database.db,
  jobs,
  storage: createFileStore(storageDir),
  photo: await readFile(facePath(DEMO_RECOGNISED_PERSON.photo)),
  modelId: MODELS.embedding.version,
});
await jobs.close();
if (!("created" in enrolment)) throw new Error(`demo enrolment failed: ${enrolment.missing} is missing`);
const [webPort, gatewayPort] = [await freePort(), await freePort()];
const env = {
  ...process.env,
  DATABASE_URL: appDatabaseUrl,
  E2E_DATABASE_URL: database.url,
  E2E_APP_DATABASE_URL: appDatabaseUrl,
  E2E_BASE_URL: `http://127.0.0.1:${webPort}`,
  E2E_CAMERA_URL: sim.urlOf(1),
  QUEUE_PREFIX: queuePrefix,
  // As in the demo: every seeded face-recognition camera and one more (capacity.spec.ts goes beyond).
  INFERENCE_MAX_CAMERAS: String(DEMO_INFERENCE_CAPACITY),
  // One analyzer thread: the demo cameras need recognition, not throughput, and the other core is
  // the browser's and the web app's.
  INFERENCE_ANALYZER_THREADS: "1",
  E2E_INFERENCE_CAPACITY: String(DEMO_INFERENCE_CAPACITY),
  GATEWAY_PORT: String(gatewayPort),
  CONSENTRY_GATEWAY_URL: `ws://127.0.0.1:${gatewayPort}`,
  // New and changed cameras are probed at once; the sweep only re-checks the 30 demo cameras.
  CAMERA_PROBE_INTERVAL_MS: "30000",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  CONSENTRY_STORAGE_DIR: storageDir,
  SMTP_URL: smtp.url,
  CONSENTRY_DEV_MAILBOX_DIR: mailboxDir,
};
const services: ChildProcess[] = [
  spawn("npm", ["start", "-w", "@consentry/ops-worker"], { cwd: "..", stdio: "inherit", env, detached: true }),
  spawn("npm", ["start", "-w", "@consentry/gateway"], { cwd: "..", stdio: "inherit", env, detached: true }),
  spawn("npm", ["start", "-w", "@consentry/inference-worker"], { cwd: "..", stdio: "inherit", env, detached: true }),
];

let exitCode = 1;
try {
  exitCode = await new Promise<number>((resolve) => {
    const child = spawn("npx", ["playwright", "test", ...process.argv.slice(2)], { stdio: "inherit", env });
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
} finally {
  for (const service of services) if (service.pid) process.kill(-service.pid, "SIGTERM");
  await sim.stop();
  await database.drop();
  await smtp.stop();
  await rm(storageDir, { recursive: true, force: true });
  await rm(mailboxDir, { recursive: true, force: true });
}
process.exit(exitCode);
