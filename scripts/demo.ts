// `npm run demo`: services, migrations, demo data, then the web app and workers.
import type { ChildProcess } from "node:child_process";
import { createDatabase } from "@consentry/db";
import { runMigrations } from "@consentry/db/migrate";
import { DEMO_CAMERA_COUNT, DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from "@consentry/db/seed";
import { startDevMailServer } from "@consentry/mail/dev-server";
import { root, run, services, start, stopGroup } from "./lib/run";

const port = Number(process.env.PORT ?? 3000);
const gatewayPort = Number(process.env.GATEWAY_PORT ?? port + 1);
const cameraSimPort = Number(process.env.CAMERA_SIM_PORT ?? 8554);
const baseUrl = `http://localhost:${port}`;
const children: ChildProcess[] = [];
let svc: Awaited<ReturnType<typeof services>> | undefined;
let stopping = false;
let smtp: Awaited<ReturnType<typeof startDevMailServer>> | undefined;

async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  console.log("\n› stopping…");
  for (const child of children) stopGroup(child);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  for (const child of children) stopGroup(child, "SIGKILL");
  await smtp?.stop();
  await svc?.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  svc = await services({
    databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry",
    redisUrl: "redis://127.0.0.1:6379",
  });
  smtp = await startDevMailServer({ dir: `${root}.data/mailbox` });
  const env = {
    ...process.env,
    DATABASE_URL: svc.databaseUrl,
    REDIS_URL: svc.redisUrl,
    PORT: String(port),
    GATEWAY_PORT: String(gatewayPort),
    CONSENTRY_GATEWAY_URL: process.env.CONSENTRY_GATEWAY_URL ?? `ws://localhost:${gatewayPort}`,
    CAMERA_SIM_PORT: String(cameraSimPort),
    BETTER_AUTH_URL: process.env.BETTER_AUTH_URL ?? baseUrl,
    CONSENTRY_STORAGE_DIR: process.env.CONSENTRY_STORAGE_DIR ?? `${root}.data/storage`,
    // Portal mail goes to a real SMTP server in this process; read it at /dev/mailbox.
    SMTP_URL: process.env.SMTP_URL ?? smtp.url,
    CONSENTRY_DEV_MAILBOX_DIR: `${root}.data/mailbox`,
    NEXT_TELEMETRY_DISABLED: "1",
    TURBO_TELEMETRY_DISABLED: "1",
  };

  console.log("› applying migrations");
  await runMigrations(svc.databaseUrl);
  const { db, close } = createDatabase(svc.databaseUrl, { applicationName: "consentry-demo-seed", max: 2 });
  const { created } = await seedDemo(db);
  await close();
  console.log(created ? "› demo data seeded" : "› demo data already present");

  console.log("› building the web app (cached after the first run)");
  if (
    (await run("npx", ["turbo", "run", "build", "--filter=@consentry/web", "--output-logs=errors-only"], env)) !== 0
  ) {
    throw new Error("the web app did not build; see the messages above");
  }

  children.push(start("npm", ["run", "start", "-w", "@consentry/web", "--", "-p", String(port)], env));
  children.push(start("npm", ["start", "-w", "@consentry/ops-worker"], env));
  children.push(start("npm", ["start", "-w", "@consentry/gateway"], env));
  // One inference worker; on a laptop two cameras at a time is plenty (INFERENCE_MAX_CAMERAS).
  children.push(
    start("npm", ["start", "-w", "@consentry/inference-worker"], {
      ...env,
      INFERENCE_MAX_CAMERAS: process.env.INFERENCE_MAX_CAMERAS ?? "2",
    }),
  );
  // The seeded cameras point at the simulator; camera 7 drops out and comes back now and then.
  children.push(
    start(
      "npm",
      [
        "run",
        "sim",
        "-w",
        "@consentry/camera-sim",
        "--",
        "--count",
        String(DEMO_CAMERA_COUNT),
        "--port",
        String(cameraSimPort),
        "--flaky",
        "7:30:90",
      ],
      env,
    ),
  );
  for (const child of children) child.on("exit", (code) => !stopping && void shutdown(code ?? 1));

  await waitForHealth(`${baseUrl}/api/health`);
  console.log(`
━━ Consentry demo is running ━━
  Dashboard     ${baseUrl}
  Health        ${baseUrl}/api/health
  Public portal ${baseUrl}/portal (codes arrive at ${baseUrl}/dev/mailbox)
  Queues        ${baseUrl}/admin/queues (platform admin)
  Live view     ws://localhost:${gatewayPort} (gateway)
  Cameras       rtsp://127.0.0.1:${cameraSimPort}/cam1 … /cam${DEMO_CAMERA_COUNT} (simulator)
  PostgreSQL    ${mask(svc.databaseUrl)}${svc.started.includes("postgres") ? " (private, data in .data/postgres)" : ""}
  Redis         ${mask(svc.redisUrl)}${svc.started.includes("redis") ? " (private)" : ""}

  Demo logins (password for all: ${DEMO_PASSWORD})
${DEMO_LOGINS.map((login) => `    ${login.email.padEnd(26)} ${login.role}`).join("\n")}

  Ctrl-C stops everything this command started.
`);
} catch (error) {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}

async function waitForHealth(url: string) {
  for (let attempt = 0; attempt < 120; attempt++) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${url} did not become healthy within 2 minutes`);
}

function mask(url: string) {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}
