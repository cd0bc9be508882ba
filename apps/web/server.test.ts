import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The built web app behind its own server (server.ts), as `npm start` runs it, over real
// PostgreSQL and Redis: the sign-in limit counts the socket's address whatever headers say.
// Needs `next build` first (`npm test` builds before it tests); skipped without a build.

const dir = dirname(fileURLToPath(import.meta.url));
const built = existsSync(join(dir, ".next/BUILD_ID"));

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

describe.skipIf(!built)("the web server", () => {
  let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
  let web: ChildProcess;
  let baseUrl: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    web = spawn(join(dir, "../../node_modules/.bin/tsx"), ["server.ts", "-p", String(port), "-H", "127.0.0.1"], {
      cwd: dir,
      detached: true,
      stdio: ["ignore", "pipe", "inherit"],
      env: {
        // biome-ignore lint/style/noProcessEnv: the child needs the PATH to find node, nothing else of ours.
        PATH: process.env.PATH,
        APP_ENV: "development", // the product's limits (test relaxes the per-address one)
        DATABASE_URL: testDb.url,
        REDIS_URL: env.REDIS_URL,
        QUEUE_PREFIX: `test-web-${randomBytes(4).toString("hex")}`,
        BETTER_AUTH_URL: baseUrl,
        NEXT_TELEMETRY_DISABLED: "1",
        NODE_ENV: "production",
      },
    });
    await new Promise<void>((resolve, reject) => {
      web.stdout?.on("data", (chunk: Buffer) => chunk.toString().includes("listening") && resolve());
      web.once("exit", (code) => reject(new Error(`web server exited with ${code}`)));
    });
  }, 60_000);
  afterAll(async () => {
    if (web?.pid) process.kill(-web.pid, "SIGTERM");
    await testDb?.drop();
  });

  const signIn = (i: number, headers: Record<string, string> = {}) =>
    fetch(`${baseUrl}/api/auth/sign-in/email`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: baseUrl,
        "x-forwarded-for": `198.51.100.${i}`,
        ...headers,
      },
      // A different (unknown) account each time, so only the per-address limit can refuse.
      body: JSON.stringify({ email: `guess-${i}@example.cn`, password: "not-the-password" }),
    }).then((response) => response.status);

  it("limits sign-in attempts per socket address however X-Forwarded-For rotates", async () => {
    const statuses: number[] = [];
    for (let i = 1; i <= 12; i++) statuses.push(await signIn(i));
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // A forged copy of the private header does not buy a fresh bucket either.
    expect(await signIn(13, { "x-consentry-client-ip": "203.0.113.50" })).toBe(429);
  }, 30_000);
});
