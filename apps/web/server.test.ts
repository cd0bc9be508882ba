import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { connect, createServer } from "node:net";
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

/** Resident memory of a process and its descendants (tsx runs the server in a child), in MB. */
function treeRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  return kb / 1024 + children.reduce((sum, child) => sum + treeRssMb(Number(child)), 0);
}

type Upload = { status: number | null; sentBytes: number; totalBytes: number; finishedSending: boolean };

/**
 * Sends a body of `totalBytes` (chunked unless `declare`), honouring backpressure, and stops
 * as soon as the answer arrives or the server closes: how much was sent by then tells whether
 * the server waited for the whole body.
 */
function upload(
  url: string,
  path: string,
  totalBytes: number,
  options: { declare?: boolean; headers?: Record<string, string> } = {},
): Promise<Upload> {
  const chunk = Buffer.alloc(64 * 1024, "a");
  return new Promise((resolve) => {
    const result: Upload = { status: null, sentBytes: 0, totalBytes, finishedSending: false };
    const request = httpRequest(`${url}${path}`, {
      method: "POST",
      headers: { ...options.headers, ...(options.declare ? { "content-length": String(totalBytes) } : {}) },
    });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      request.destroy();
      resolve(result);
    };
    request.on("response", (response) => {
      result.status = response.statusCode ?? null;
      response.resume();
      finish();
    });
    request.on("error", finish);
    request.on("close", finish);
    const write = () => {
      while (!done && result.sentBytes < totalBytes) {
        const piece = chunk.subarray(0, Math.min(chunk.length, totalBytes - result.sentBytes));
        result.sentBytes += piece.length;
        if (!request.write(piece)) return void request.once("drain", write);
      }
      if (!done) {
        result.finishedSending = true;
        request.end();
      }
    };
    write();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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
    if (web?.pid && web.exitCode === null) {
      // A shutdown that hangs (seen once, under load) must not leave the server running after the suite.
      const exited = new Promise((resolve) => web.once("exit", resolve));
      process.kill(-web.pid, "SIGTERM");
      const timer = setTimeout(() => process.kill(-(web.pid as number), "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await testDb?.drop();
  }, 30_000);

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

  it("closes connections whose headers never finish (slowloris) within the headers timeout", async () => {
    const started = Date.now();
    const closedAfter = await Promise.all(
      Array.from(
        { length: 200 },
        (_, i) =>
          new Promise<number>((resolve) => {
            const socket = connect(Number(new URL(baseUrl).port), "127.0.0.1");
            socket.on("error", () => {});
            socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
            // One more header line a second: every byte keeps an idle-timeout alive.
            const drip = setInterval(() => socket.write(`x-drip-${i}: ${Date.now()}\r\n`), 1000);
            socket.on("close", () => {
              clearInterval(drip);
              resolve(Date.now() - started);
            });
            setTimeout(() => socket.destroy(), 25_000); // the test's own bound
          }),
      ),
    );
    // headersTimeout (10 s) plus the server's checking interval and slack.
    expect(Math.max(...closedAfter)).toBeLessThan(16_000);
    console.log(`slowloris: 200 connections closed after ${Math.min(...closedAfter)}-${Math.max(...closedAfter)} ms`);
  }, 40_000);

  it("holds at most 256 connections per client address", async () => {
    const open = (): Promise<{ socket: ReturnType<typeof connect>; closed: Promise<void> }> =>
      new Promise((resolve) => {
        const socket = connect(Number(new URL(baseUrl).port), "127.0.0.1");
        socket.on("error", () => {});
        const closed = new Promise<void>((done) => socket.once("close", () => done()));
        socket.once("connect", () => resolve({ socket, closed }));
      });
    const held = [];
    for (let i = 0; i < 256; i++) held.push(await open());
    const extra = await open();
    const refused = await Promise.race([extra.closed.then(() => true), sleep(3000).then(() => false)]);
    const stillOpen = held.filter(({ socket }) => !socket.destroyed).length;
    for (const { socket } of [...held, extra]) socket.destroy();
    expect(refused).toBe(true);
    expect(stillOpen).toBe(256);
  }, 30_000);

  const json = () => ({ "content-type": "application/json", origin: baseUrl });
  const MB = 1024 * 1024;

  it("refuses a 20 MB tRPC body, declared or chunked, before it has arrived", async () => {
    const pid = web.pid as number;
    const before = treeRssMb(pid);
    const declared = await upload(baseUrl, "/api/trpc/sites.create", 20 * MB, { declare: true, headers: json() });
    const chunked = await upload(baseUrl, "/api/trpc/sites.create", 20 * MB, { headers: json() });
    const after = treeRssMb(pid);
    console.log(
      `20 MB tRPC body: declared ${declared.status} after ${declared.sentBytes} bytes, chunked ${chunked.status} after ${chunked.sentBytes} bytes; RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MB`,
    );
    expect(declared.status).toBe(413);
    expect(declared.finishedSending).toBe(false);
    // A chunked body is counted as it streams: refused at 1 MB, long before the 20 MB are sent.
    expect(chunked.finishedSending).toBe(false);
    expect(chunked.sentBytes).toBeLessThan(10 * MB);
    expect(after - before).toBeLessThan(60);
  }, 60_000);

  it("answers an anonymous 400 MB chunked upload 401 without reading it", async () => {
    const pid = web.pid as number;
    const before = treeRssMb(pid);
    const started = Date.now();
    const sent = await upload(
      baseUrl,
      `/api/signs/${crypto.randomUUID()}/evidence?orgId=${crypto.randomUUID()}`,
      400 * MB,
      { headers: { "content-type": "multipart/form-data; boundary=x", origin: baseUrl } },
    );
    const after = treeRssMb(pid);
    console.log(
      `400 MB anonymous upload: ${sent.status} after ${sent.sentBytes} bytes, ${Date.now() - started} ms; RSS ${before.toFixed(0)} -> ${after.toFixed(0)} MB`,
    );
    expect(sent.status).toBe(401);
    expect(sent.finishedSending).toBe(false);
    expect(sent.sentBytes).toBeLessThan(20 * MB);
    expect(after - before).toBeLessThan(60);
  }, 120_000);

  it("passes a signed-in upload on, declared or chunked, and counts it against 10 MB", async () => {
    const { makeOrganization, makePrincipal } = await import("@consentry/api/testing");
    const { createAuth } = await import("@consentry/auth");
    const org = await makeOrganization(testDb.db);
    const manager = await makePrincipal(testDb.db, { memberships: [[org.id, "manager"]] });
    // Signed in in-process (same secret as the server), so the sign-in limit test above is untouched.
    const auth = createAuth(testDb.db, { baseUrl });
    const signedIn = await auth.api.signInEmail({
      body: { email: manager.email, password: "correct horse battery" },
      headers: new Headers({ "x-consentry-client-ip": "203.0.113.9" }),
      asResponse: true,
    });
    const cookie = signedIn.headers
      .getSetCookie()
      .map((entry) => entry.split(";")[0])
      .join("; ");
    const form = new FormData();
    form.append("photo", new File([new Uint8Array(2048)], "sign.jpg", { type: "image/jpeg" }));
    const encoded = new Request("http://form.invalid", { method: "POST", body: form });
    const body = new Uint8Array(await encoded.arrayBuffer());
    const headers = { cookie, origin: baseUrl, "content-type": encoded.headers.get("content-type") ?? "" };
    const url = `${baseUrl}/api/signs/${crypto.randomUUID()}/evidence?orgId=${org.id}`;

    // The route read the form and looked the sign up: 404, not 401 or 413.
    expect((await fetch(url, { method: "POST", headers, body })).status).toBe(404);
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(body);
        controller.close();
      },
    });
    const chunked = await fetch(url, { method: "POST", headers, body: stream, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(404);

    // A photo at the 10 MB limit reaches the route whole (Next would cut a copied body at 10 MB).
    const full = new FormData();
    full.append("photo", new File([new Uint8Array(10 * MB)], "sign.jpg", { type: "image/jpeg" }));
    const large = await fetch(url, { method: "POST", headers: { cookie, origin: baseUrl }, body: full });
    expect(large.status).toBe(404);

    const tooLarge = await upload(baseUrl, new URL(url).pathname + new URL(url).search, 100 * MB, { headers });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.finishedSending).toBe(false);
  }, 60_000);
});
