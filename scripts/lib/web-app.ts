// The benchmarks' view of the dashboard as a browser sees it: the real web app (the production
// build) on a free port, a user signed in over HTTP, tRPC queries with that session's cookie.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { answers } from "./parts";
import { freePort } from "./processes";
import { root, stopGroup } from "./run";

const READY_WITHIN_MS = 90_000;

export type WebApp = { baseUrl: string; child: ChildProcess; stop: () => void };

/**
 * Starts apps/web (`tsx server.ts`, as `npm start` does) on the database at `databaseUrl` and
 * resolves once /api/health answers. Needs `npm run build` first: it serves the production build.
 */
export async function startWebApp(options: { databaseUrl: string; env?: NodeJS.ProcessEnv }): Promise<WebApp> {
  if (!existsSync(`${root}/apps/web/.next/BUILD_ID`)) {
    throw new Error("apps/web has no production build: run `npm run build` first");
  }
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn("npx", ["tsx", "server.ts", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: `${root}/apps/web`,
    env: {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      BETTER_AUTH_URL: baseUrl,
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: "ignore",
    detached: true,
  });
  const stop = () => stopGroup(child);
  const deadline = performance.now() + READY_WITHIN_MS;
  while (!(await answers(`${baseUrl}/api/health`))) {
    if (child.exitCode !== null || performance.now() > deadline) {
      stop();
      throw new Error(`the web app did not answer at ${baseUrl}/api/health within ${READY_WITHIN_MS / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { baseUrl, child, stop };
}

/** The password of the users the benchmarks create and sign in as. */
export const BENCH_PASSWORD = "bench-password-2026";

/** Signs in with email and password as the sign-in page does; returns the session cookie (`name=value`). */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password }),
  });
  const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (!response.ok || !cookie) throw new Error(`sign-in as ${email} failed: ${response.status}`);
  return cookie;
}

/** A tRPC query over HTTP with a session cookie, as the dashboard's client sends it (superjson). */
export function trpcQuery(baseUrl: string, cookie: string) {
  return async <T = unknown>(path: string, input?: unknown): Promise<T> => {
    const query = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
    const response = await fetch(`${baseUrl}/api/trpc/${path}${query}`, { headers: { cookie } });
    if (!response.ok) throw new Error(`tRPC ${path} failed: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { result: { data: { json: T } } };
    return body.result.data.json;
  };
}

/** The p-th percentile (nearest rank) of `values`, to 2 decimals. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Number((sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0).toFixed(2));
}

export const summary = (values: readonly number[]) => ({
  p50: percentile(values, 50),
  p95: percentile(values, 95),
  max: percentile(values, 100),
});

/** Milliseconds that `work` takes. */
export async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}
