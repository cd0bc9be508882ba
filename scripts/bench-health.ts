// `npm run bench:health`: /api/health under load on the built web app (apps/web/server.ts, as in
// production), with keep-alive HTTP connections that each send their next request as soon as the
// last one answered: 10 connections (the target: ≥ 1,000 requests/s), then 100. Also checks that
// the health check keeps one Redis connection however many requests it answers, and that only
// the metrics token's holder sees the details. Anonymous requests are answered by server.ts itself
// (apps/web/src/server/health-shortcut.ts) from the app's last answer. Last line: a JSON summary.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { createTestDatabase } from "@consentry/db/testing";
import { Redis } from "ioredis";
import { freePort } from "./lib/processes";
import { services, stopGroup } from "./lib/run";

const WARM_UP_MS = 2_000;
const DURATION_MS = 10_000;
/** The name apps/web/src/server/current-health.ts gives its connection. */
const HEALTH_CONNECTION_NAME = "consentry-web-health";

const percentile = (sorted: number[], p: number) =>
  Number((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0).toFixed(1));

/** `connections` loops, each one request at a time on its own keep-alive socket, for `ms`. */
async function load(url: string, connections: number, ms: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let failures = 0;
  const get = () =>
    new Promise<number>((resolve, reject) => {
      const req = request(url, { agent }, (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? 0));
      });
      req.once("error", reject);
      req.end();
    });
  const until = performance.now() + ms;
  const loop = async () => {
    while (performance.now() < until) {
      const started = performance.now();
      const status = await get().catch(() => 0);
      latencies.push(performance.now() - started);
      if (status !== 200) failures++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = performance.now() - started;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: Math.round(latencies.length / (elapsed / 1000)),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    requests: latencies.length,
    failures,
  };
}

const healthConnections = async (redis: Redis) =>
  ((await redis.client("LIST")) as string)
    .split("\n")
    .filter((line) => line.includes(` name=${HEALTH_CONNECTION_NAME} `)).length;

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
const database = await createTestDatabase(svc.databaseUrl);
const redis = new Redis(svc.redisUrl);
const metricsToken = randomBytes(24).toString("hex");
const webPort = await freePort();
const baseUrl = `http://127.0.0.1:${webPort}`;
// Anonymous requests, as a load balancer sends them; the details only with the metrics token.
const web = spawn("npx", ["tsx", "server.ts", "-p", String(webPort), "-H", "127.0.0.1"], {
  cwd: "apps/web",
  env: {
    ...process.env,
    DATABASE_URL: database.url,
    REDIS_URL: svc.redisUrl,
    BETTER_AUTH_URL: baseUrl,
    CONSENTRY_METRICS_TOKEN: metricsToken,
    NEXT_TELEMETRY_DISABLED: "1",
    LOG_LEVEL: "warn",
  },
  stdio: "ignore",
  detached: true,
});

try {
  const url = `${baseUrl}/api/health`;
  let up = false;
  for (let i = 0; i < 240 && !up; i++) {
    up = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (!up) await new Promise((resolve) => setTimeout(resolve, 500));
  }
  if (!up) throw new Error(`the web app did not answer ${url} within 2 minutes (is apps/web built?)`);

  const anonymous = await (await fetch(url)).json();
  const detailed = await (await fetch(url, { headers: { authorization: `Bearer ${metricsToken}` } })).json();
  console.log(`anonymous caller sees ${JSON.stringify(anonymous)}; with the metrics token: ${Object.keys(detailed)}`);

  const before = await healthConnections(redis);
  await load(url, 10, WARM_UP_MS);
  const at10 = await load(url, 10, DURATION_MS);
  console.log(
    `10 connections: ${at10.rps} req/s, p50 ${at10.p50} ms, p99 ${at10.p99} ms (${at10.requests} requests, ${at10.failures} not 200)`,
  );
  const at100 = await load(url, 100, DURATION_MS);
  console.log(
    `100 connections: ${at100.rps} req/s, p50 ${at100.p50} ms, p99 ${at100.p99} ms (${at100.requests} requests, ${at100.failures} not 200)`,
  );
  const after = await healthConnections(redis);
  console.log(`Redis connections named ${HEALTH_CONNECTION_NAME}: ${before} before the load, ${after} after`);
  console.log(
    JSON.stringify({
      health_rps: at10.rps,
      health_p99_ms: at10.p99,
      health_rps_100: at100.rps,
      health_p99_ms_100: at100.p99,
      health_failures: at10.failures + at100.failures,
      health_redis_connections: after,
    }),
  );
} finally {
  stopGroup(web);
  redis.disconnect();
  await database.drop();
  await svc.stop();
}
