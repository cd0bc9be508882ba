import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DEVELOPMENT_SECRETS } from "./development";

// Starts the real processes (web app, ops worker, inference worker, gateway) with a clean
// environment outside development/test and expects each to refuse at start, naming every
// variable it lacks; then checks that real secrets get past the check.

const root = fileURLToPath(new URL("../../../", import.meta.url));
const webBuilt = existsSync(join(root, "apps/web/.next/BUILD_ID"));
/** Generous for a loaded machine; a refusal normally comes within a few seconds. */
const REFUSAL_LIMIT_MS = 30_000;
const START_LIMIT_MS = 60_000;

const REQUIRED = [
  "BETTER_AUTH_SECRET",
  "CONSENTRY_ENCRYPTION_KEYS",
  "CONSENTRY_AUDIT_KEYS",
  "CONSENTRY_PORTAL_SECRET",
  "CONSENTRY_LIVE_VIEW_SECRET",
  "CONSENTRY_METRICS_TOKEN",
  "CONSENTRY_STORAGE_DIR",
];

type Env = Record<string, string | undefined>;
type Service = { name: string; cwd: string; command: (port: number) => string[]; needsBuild?: boolean };

const tsx = join(root, "node_modules/.bin/tsx");
// The same commands as the `start` scripts of these workspaces.
const SERVICES: Service[] = [
  { name: "ops worker", cwd: "workers/ops", command: () => [tsx, "src/main.ts"] },
  { name: "inference worker", cwd: "workers/inference", command: () => [tsx, "src/main.ts"] },
  { name: "gateway", cwd: "apps/gateway", command: () => [tsx, "src/main.ts"] },
  {
    name: "web app",
    cwd: "apps/web",
    command: (port) => [tsx, "server.ts", "-p", String(port), "-H", "127.0.0.1"],
    needsBuild: true,
  },
];
const service = (name: string) => SERVICES.find((s) => s.name === name) as Service;

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

/** Nothing from this test run leaks in: just what a bare shell and the local services give. */
function cleanEnv(extra: Env): Env {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    DATABASE_URL: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/consentry",
    REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
    NEXT_TELEMETRY_DISABLED: "1",
    ...extra,
  };
}

const random = (bytes = 32) => randomBytes(bytes).toString("hex");
function realSecrets(): Env {
  return {
    BETTER_AUTH_SECRET: random(),
    CONSENTRY_ENCRYPTION_KEYS: `prod1:${randomBytes(32).toString("base64")}`,
    CONSENTRY_AUDIT_KEYS: `audit1:${randomBytes(32).toString("base64")}`,
    CONSENTRY_PORTAL_SECRET: random(),
    CONSENTRY_LIVE_VIEW_SECRET: random(),
    CONSENTRY_METRICS_TOKEN: random(16),
    CONSENTRY_STORAGE_DIR: join(tmpdir(), `consentry-env-test-${random(4)}`),
  };
}

type Outcome = {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  /** Whether `ready` said the service was up (it was then stopped with SIGTERM). */
  ready: boolean;
  timedOut: boolean;
};

/**
 * Runs a service until it exits, or until `ready` (the output or a probe) says it is up; then
 * it gets SIGTERM, as from a process manager. Past `limitMs` its process group is killed.
 */
async function run(
  target: Service,
  env: Env,
  options: { limitMs?: number; ready?: (output: string, port: number) => boolean | Promise<boolean> } = {},
): Promise<Outcome> {
  const port = await freePort();
  const [command, ...args] = target.command(port);
  const child = spawn(command as string, args, {
    cwd: join(root, target.cwd),
    env: { GATEWAY_PORT: String(port), BETTER_AUTH_URL: `http://127.0.0.1:${port}`, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<Pick<Outcome, "code" | "signal">>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  let timedOut = false;
  const killGroup = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {} // already gone
  };
  const limit = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, options.limitMs ?? REFUSAL_LIMIT_MS);
  let running = true;
  void exited.then(() => (running = false));
  let ready = false;
  while (options.ready && running && !timedOut && !ready) {
    ready = await options.ready(output, port);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (ready && running) child.kill("SIGTERM");
  const result = await exited;
  clearTimeout(limit);
  killGroup(); // whatever it started (tsx runs node in a child) goes with it
  return { ...result, output, ready, timedOut };
}

function expectRefused(outcome: Outcome, names: string[]) {
  expect(outcome.timedOut, `no refusal within ${REFUSAL_LIMIT_MS} ms:\n${outcome.output}`).toBe(false);
  expect(outcome.code, outcome.output).not.toBe(0);
  expect(outcome.code, outcome.output).not.toBeNull();
  expect(outcome.output).toContain("refusing to start outside development/test");
  for (const name of names) expect(outcome.output).toContain(name);
}

describe.each([
  ["APP_ENV unset", {}],
  ["APP_ENV=production", { APP_ENV: "production" }],
])("without secrets, %s", (_label, appEnv) => {
  // The four services start side by side (describe.concurrent).
  describe.concurrent("each service", () => {
    for (const target of SERVICES) {
      const skip = target.needsBuild && !webBuilt;
      it.skipIf(skip)(
        `the ${target.name} refuses to start, naming every missing variable${skip ? " (SKIPPED: apps/web/.next is missing; build the web app first)" : ""}`,
        async () => {
          const outcome = await run(target, cleanEnv(appEnv));
          expectRefused(outcome, REQUIRED);
          expect(outcome.output).toContain("(missing)");
        },
        REFUSAL_LIMIT_MS + 10_000,
      );
    }
  });
});

describe.concurrent("outside development/test", () => {
  it(
    "refuses the public development secrets, naming each, and never prints a secret",
    async () => {
      const secrets: Env = { ...realSecrets(), ...DEVELOPMENT_SECRETS };
      const outcome = await run(service("ops worker"), cleanEnv(secrets));
      expectRefused(outcome, Object.keys(DEVELOPMENT_SECRETS));
      expect(outcome.output).toContain("hold public development values");
      expect(outcome.output).not.toContain(secrets.CONSENTRY_METRICS_TOKEN);
      for (const value of Object.values(DEVELOPMENT_SECRETS)) expect(outcome.output).not.toContain(value);
    },
    REFUSAL_LIMIT_MS + 10_000,
  );

  it(
    "refuses a keyring that still lists the development key, and a secret that is too short",
    async () => {
      const secrets = realSecrets();
      const tooShort = random(8);
      const keys = `${secrets.CONSENTRY_ENCRYPTION_KEYS},old:${DEVELOPMENT_SECRETS.CONSENTRY_ENCRYPTION_KEYS.split(":")[1]}`;
      const outcome = await run(
        service("gateway"),
        cleanEnv({ ...secrets, APP_ENV: "production", CONSENTRY_ENCRYPTION_KEYS: keys, BETTER_AUTH_SECRET: tooShort }),
      );
      expectRefused(outcome, ["CONSENTRY_ENCRYPTION_KEYS holds the public development value", "BETTER_AUTH_SECRET"]);
      expect(outcome.output).not.toContain(tooShort);
      expect(outcome.output).not.toContain(secrets.CONSENTRY_ENCRYPTION_KEYS);
    },
    REFUSAL_LIMIT_MS + 10_000,
  );

  it(
    "refuses an unknown APP_ENV",
    async () => {
      const outcome = await run(service("ops worker"), cleanEnv({ ...realSecrets(), APP_ENV: "staging" }));
      expectRefused(outcome, ["APP_ENV is invalid (must be development, test or production)"]);
    },
    REFUSAL_LIMIT_MS + 10_000,
  );

  it(
    "starts the gateway with real secrets",
    async () => {
      const outcome = await run(service("gateway"), cleanEnv({ ...realSecrets(), APP_ENV: "production" }), {
        limitMs: START_LIMIT_MS,
        ready: (output) => output.includes("gateway ready"),
      });
      expect(outcome.output).not.toContain("refusing");
      expect(outcome.ready, outcome.output).toBe(true);
      expect(outcome.code, outcome.output).toBe(0);
    },
    START_LIMIT_MS + 10_000,
  );

  it.skipIf(!webBuilt)(
    `starts the web app with real secrets (it answers requests)${webBuilt ? "" : " (SKIPPED: apps/web/.next is missing)"}`,
    async () => {
      const outcome = await run(service("web app"), cleanEnv(realSecrets()), {
        limitMs: START_LIMIT_MS,
        // Any answer, even 503 without workers, means the server got past its start.
        ready: (_output, port) =>
          fetch(`http://127.0.0.1:${port}/api/health`, { signal: AbortSignal.timeout(10_000) }).then(
            () => true,
            () => false,
          ),
      });
      expect(outcome.output).not.toContain("refusing");
      expect(outcome.ready, outcome.output).toBe(true);
    },
    START_LIMIT_MS + 10_000,
  );
});

describe("in development and test", () => {
  it.each(["development", "test"])(
    "APP_ENV=%s needs no secrets: the development defaults apply",
    async (appEnv) => {
      const envModule: Service = { name: "env", cwd: "packages/env", command: () => [tsx, "src/index.ts"] };
      const outcome = await run(envModule, cleanEnv({ APP_ENV: appEnv }));
      expect(outcome.output).toBe("");
      expect(outcome.code).toBe(0);
    },
    REFUSAL_LIMIT_MS + 10_000,
  );
});
