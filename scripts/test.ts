// `npm test`: lint, build, typecheck, every workspace's unit and integration tests against
// real PostgreSQL and Redis, the service-bootstrap tests, then Playwright in Chromium.
import { dropStaleTestDatabases, ensureTemplateDatabase } from "@consentry/db/testing";
import { run, services } from "./lib/run";

const started = Date.now();
const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_test",
  redisUrl: "redis://127.0.0.1:6379",
});
const env = {
  ...process.env,
  DATABASE_URL: svc.databaseUrl,
  REDIS_URL: svc.redisUrl,
  APP_ENV: "test",
  NEXT_TELEMETRY_DISABLED: "1",
  TURBO_TELEMETRY_DISABLED: "1",
  DO_NOT_TRACK: "1",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
};

const steps: [name: string, command: string, args: string[]][] = [
  ["lint", "npx", ["biome", "check", "."]],
  ["build", "npx", ["turbo", "run", "build", "--output-logs=errors-only"]],
  ["typecheck", "npm", ["run", "typecheck", "--", "--output-logs=errors-only"]],
  ["unit + integration", "npx", ["turbo", "run", "test", "--concurrency=2"]],
  ["service bootstrap", "npx", ["vitest", "run", "scripts/lib"]],
  ["end-to-end (Chromium)", "npm", ["run", "e2e", "-w", "@consentry/e2e"]],
];

const results: { name: string; ok: boolean; seconds: number }[] = [];
try {
  process.env.DATABASE_URL = svc.databaseUrl;
  await dropStaleTestDatabases(svc.databaseUrl);
  await ensureTemplateDatabase(svc.databaseUrl);
  for (const [name, command, args] of steps) {
    console.log(`\n━━ ${name} ━━`);
    const stepStart = Date.now();
    const code = await run(command, args, env);
    results.push({ name, ok: code === 0, seconds: Math.round((Date.now() - stepStart) / 1000) });
    if (code !== 0) break;
  }
} finally {
  await svc.stop();
}

console.log("\n━━ summary ━━");
for (const { name, ok, seconds } of results) console.log(`${ok ? "✓" : "✗"} ${name} (${seconds} s)`);
const failed = results.some((r) => !r.ok) || results.length < steps.length;
console.log(`${failed ? "FAILED" : "all green"} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(failed ? 1 : 0);
