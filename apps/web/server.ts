import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Auth, createAuth } from "@consentry/auth";
import { stampClientAddress, trustedProxies } from "@consentry/auth/client-address";
import { MAX_PHOTO_BYTES } from "@consentry/core/validators";
import { createDatabase } from "@consentry/db/client";
import { env } from "@consentry/env";
import next from "next";
import { healthShortcut } from "./src/server/health-shortcut";

// `next start` keeps a client-sent X-Forwarded-For (it only fills the header in when absent), so
// the app cannot tell a forged address from a real one. This server computes the client address
// from the socket and TRUSTED_PROXIES and hands it to the app in a private header (see
// @consentry/auth/client-address); everything else is Next's own request handler.
// It also bounds what a client can make the process hold (see BODY_LIMITS and the timeouts).
// Usage as `next start`: tsx server.ts [-p port] [-H hostname] [--dev]

const { values } = parseArgs({
  options: {
    port: { type: "string", short: "p" },
    hostname: { type: "string", short: "H" },
    dev: { type: "boolean", default: false },
  },
});
// biome-ignore lint/style/noProcessEnv: PORT is `next start`'s own fallback, kept for compatibility.
const port = Number(values.port ?? process.env.PORT ?? 3000);
const hostname = values.hostname ?? "0.0.0.0";
const trust = trustedProxies(env.TRUSTED_PROXIES);

const KiB = 1024;
const MiB = 1024 * KiB;
/** One photo at its largest plus the multipart framing around it. */
const UPLOAD_BYTES = MAX_PHOTO_BYTES + 256 * KiB;

/**
 * The largest body each path accepts, first match wins, counted here as it arrives: Next reads
 * every non-GET body in full (its proxy gets a copy, see proxyClientMaxBodySize in next.config.ts)
 * before a route handler runs, so a limit in the route comes too late. `signedIn` paths also need
 * a session before a byte of their body is read; `field` is the form field a refusal names.
 */
type Limit = { bytes: number; signedIn?: true; field?: string };
const BODY_LIMITS: (Limit & { path: RegExp })[] = [
  { path: /^\/api\/people\/[^/]+\/enrolments\/?$/, bytes: UPLOAD_BYTES, signedIn: true, field: "photos" },
  { path: /^\/api\/signs\/[^/]+\/evidence\/?$/, bytes: UPLOAD_BYTES, signedIn: true, field: "photo" },
  { path: /^\/api\/assessments\/?$/, bytes: UPLOAD_BYTES, signedIn: true, field: "document" },
];
/** Everything else (tRPC, Better Auth, server actions) takes JSON or small forms. */
const DEFAULT_LIMIT: Limit = { bytes: 1 * MiB };
/** Connections one client address may hold at once (a browser uses about 6). */
const MAX_CONNECTIONS_PER_ADDRESS = 256;

/** Anonymous GET /api/health from the app's last answer (at most 1 s old): pollers never reach Next.js. */
const anonymousHealth = healthShortcut({ https: new URL(env.BETTER_AUTH_URL).protocol === "https:" });

const dir = dirname(fileURLToPath(import.meta.url));
process.chdir(dir); // as under `next start`: the app reads messages/ relative to its directory
const app = next({ dev: values.dev, dir, hostname, port });
await app.prepare();
const handle = app.getRequestHandler();
const upgrade = app.getUpgradeHandler();

// The session check for uploads, before Next reads their bodies. Its own small pool: the app's
// services live inside Next's bundle. Created at the first upload.
let uploadAuth: Auth | undefined;
async function hasSession(req: IncomingMessage): Promise<boolean> {
  if (!req.headers.cookie) return false;
  uploadAuth ??= createAuth(createDatabase(env.DATABASE_URL, { applicationName: "consentry-web-uploads", max: 2 }).db);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers))
    for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
  const session = await uploadAuth.api.getSession({ headers }).catch(() => null);
  return session !== null;
}

/**
 * Answers without reading the request body and closes the connection once the answer is out,
 * so the client stops sending (a keep-alive connection would read the rest to reach the next
 * request). The close lingers: Node would destroy the socket right after the answer with the
 * client's bytes unread, and the reset that causes often reaches the client before the answer
 * does. So: FIN, stop reading (the client's sending stalls), destroy a few seconds later.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  problem: { error: string; code: string; field?: string; reason?: string },
) {
  const { socket } = req;
  if (res.headersSent) return void socket.destroy();
  socket.destroySoon = () => {
    socket.end();
    // After Node's own resume of an unread body (next tick), which would read it all to discard it.
    setImmediate(() => socket.pause());
    setTimeout(() => socket.destroy(), 3_000).unref();
  };
  res.writeHead(status, { "content-type": "application/json", connection: "close" });
  // The shape the upload forms read (as route-errors.ts answers): `reason` is a translated message key.
  res.end(JSON.stringify({ field: null, reason: null, ...problem }));
}

function tooLarge(req: IncomingMessage, res: ServerResponse, limit: Limit) {
  refuse(req, res, 413, {
    error: `The request body is larger than ${Math.round(limit.bytes / MiB)} MB.`,
    code: "PAYLOAD_TOO_LARGE",
    field: limit.field,
    reason: "fileTooLarge",
  });
}

/**
 * Counts the body where the HTTP parser hands it to the request stream (IncomingMessage#push),
 * whoever reads it and however it is framed (chunked bodies declare no length). Past the limit
 * nothing more reaches the app: the client gets 413 and the connection is closed.
 */
function countBody(req: IncomingMessage, res: ServerResponse, limit: Limit) {
  const { bytes } = limit;
  let received = 0;
  const push = req.push;
  req.push = function (this: IncomingMessage, chunk: unknown, encoding?: BufferEncoding) {
    if (received > bytes) return false; // refused already; false stops the socket's reading
    if (chunk !== null) received += (chunk as Buffer).length;
    if (received > bytes) {
      tooLarge(req, res, limit);
      return false;
    }
    return push.call(this, chunk, encoding);
  };
}

async function serve(req: IncomingMessage, res: ServerResponse) {
  if (!stampClientAddress(req, trust)) {
    res.writeHead(400, { "content-type": "text/plain" }).end("The client address could not be determined.");
    return;
  }
  const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
  if (anonymousHealth(req, res, path)) return;
  const limit = BODY_LIMITS.find((entry) => entry.path.test(path)) ?? DEFAULT_LIMIT;
  const declared = Number(req.headers["content-length"] ?? 0);
  const hasBody = declared > 0 || req.headers["transfer-encoding"] !== undefined;
  if (hasBody && declared > limit.bytes) return tooLarge(req, res, limit);
  if (hasBody && limit.signedIn && !(await hasSession(req)))
    return refuse(req, res, 401, { error: "Sign in to upload.", code: "UNAUTHORIZED" });
  countBody(req, res, limit);
  await handle(req, res);
}

const server = createServer(
  {
    // Slowloris: a client has 10 s to send its headers and 60 s for the whole request (WebSocket
    // upgrades are not subject to these). Node checks them every `connectionsCheckingInterval`.
    headersTimeout: 10_000,
    requestTimeout: 60_000,
    connectionsCheckingInterval: 1_000,
    keepAliveTimeout: 5_000,
  },
  (req, res) => void serve(req, res),
);
server.on("upgrade", (req, socket, head) => {
  if (!stampClientAddress(req, trust)) return socket.destroy();
  void upgrade(req, socket, head);
});

// Per-address connection cap; a trusted proxy's connections carry many clients and are not capped.
const connections = new Map<string, number>();
server.on("connection", (socket) => {
  const address = socket.remoteAddress;
  if (!address || trust(address, 0)) return;
  const count = (connections.get(address) ?? 0) + 1;
  if (count > MAX_CONNECTIONS_PER_ADDRESS) return void socket.destroy();
  connections.set(address, count);
  socket.once("close", () => {
    const left = (connections.get(address) ?? 1) - 1;
    if (left > 0) connections.set(address, left);
    else connections.delete(address);
  });
});

server.listen(port, hostname, () => console.log(`consentry web listening on http://${hostname}:${port}`));

// On SIGTERM/SIGINT stop accepting, let requests in flight finish (at most 10 s), then exit.
for (const signal of ["SIGTERM", "SIGINT"] as const)
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
