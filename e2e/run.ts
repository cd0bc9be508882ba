import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCameraSimulator } from "@consentry/camera-sim";
import { createTestDatabase } from "@consentry/db/testing";
import { startDevMailServer } from "@consentry/mail/dev-server";

// Runs the Playwright suite against its own database, queue prefix and ports, with the real
// camera simulator, ops worker (probes) and live-view gateway beside the web app.
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
const storageDir = await mkdtemp(join(tmpdir(), "consentry-e2e-storage-"));
const mailboxDir = await mkdtemp(join(tmpdir(), "consentry-e2e-mail-"));
const smtp = await startDevMailServer({ dir: mailboxDir });
const sim = await startCameraSimulator({ count: 2, port: 0, log: () => {} });
const [webPort, gatewayPort] = [await freePort(), await freePort()];
const env = {
  ...process.env,
  DATABASE_URL: database.url,
  E2E_DATABASE_URL: database.url,
  E2E_BASE_URL: `http://127.0.0.1:${webPort}`,
  E2E_CAMERA_URL: sim.urlOf(1),
  QUEUE_PREFIX: `e2e-${randomBytes(4).toString("hex")}`,
  GATEWAY_PORT: String(gatewayPort),
  CONSENTRY_GATEWAY_URL: `ws://127.0.0.1:${gatewayPort}`,
  CAMERA_PROBE_INTERVAL_MS: "3000",
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
