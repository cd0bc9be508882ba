import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Database } from "@consentry/db";
import type { Logger } from "pino";
import { type WebSocket, WebSocketServer } from "ws";
import { checkGrant, type Grant, verifyTicket } from "./access";
import { ViewerGrants } from "./grants";
import { connectGatewayRedis } from "./redis";
import { END_REASONS, terminateViewer, VideoAccessReporter } from "./register";
import { CameraRelay, DEFAULT_TIMINGS, type RelayStats, type RelayTimings } from "./relay";
import { spendTicket } from "./tickets";

export { LIVE_VIEW_ROLE, REVOKED } from "./access";
export { maskRtspUrl } from "./mask";
export { END_REASONS, type EndReason } from "./register";
export { relayFfmpegArgs } from "./relay";

export type GatewayOptions = {
  db: Database;
  /** 0 picks a free port. */
  port: number;
  /** Host to bind; default all interfaces. */
  host?: string;
  /** CONSENTRY_LIVE_VIEW_SECRET: verifies the tickets the dashboard signs. */
  secret: string;
  /**
   * REDIS_URL and QUEUE_PREFIX: spent ticket ids are kept there, and the installation's
   * invalidation channel tells the gateway that a camera or a membership changed.
   */
  redis: { url: string; prefix: string };
  /** Re-check every open viewer (membership, role, camera, address) this often (default 2 minutes). */
  reauthorizeMs?: number;
  /** Stop a camera's ffmpeg this long after its last viewer leaves (default 10 s). */
  idleStopMs?: number;
  /** Advanced: backoff and watchdog timings (tests shorten them). */
  timings?: Partial<RelayTimings>;
  logger: Logger;
};

export type GatewayStats = {
  relays: number;
  viewers: number;
  perCamera: Record<string, RelayStats>;
};

export type Gateway = {
  port: number;
  stats(): GatewayStats;
  /** Closes viewers (1001), stops every ffmpeg and the HTTP server. */
  close(): Promise<void>;
};

const LIVE_PATH = /^\/live\/([^/]{1,64})\/?$/;
const HEARTBEAT_MS = 30_000;
export const DEFAULT_REAUTHORIZE_MS = 120_000;

/**
 * The live-view relay: one HTTP server and one WebSocket server on one port. The browser opens
 * `ws://<gateway>/live/<cameraId>?token=<token>` and receives MPEG-1 video in MPEG-TS (JSMpeg).
 * Per camera at most one ffmpeg, shared by all its viewers, restarted with backoff when the
 * camera drops and stopped `idleStopMs` after the last viewer leaves.
 *
 * Tickets are single use (spent in Redis; Redis unreachable means refused). Every viewer's grant
 * (camera, organisation, user) is re-checked when an invalidation names its camera or its
 * membership, and every `reauthorizeMs`; a viewer whose grant no longer holds is closed with a
 * REVOKED code and reason.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { db, secret, logger } = options;
  const reauthorizeMs = options.reauthorizeMs ?? DEFAULT_REAUTHORIZE_MS;
  const timings: RelayTimings = {
    ...DEFAULT_TIMINGS,
    ...options.timings,
    ...(options.idleStopMs === undefined ? {} : { idleStopMs: options.idleStopMs }),
  };
  const log = logger.child({ component: "gateway" });
  const relays = new Map<string, CameraRelay>();
  const sockets = new Set<Socket>();
  let closing = false;

  const grants = new ViewerGrants(db, relays, log);
  const register = new VideoAccessReporter(db, log);
  const redis = await connectGatewayRedis({
    ...options.redis,
    log,
    invalidated: (change) => grants.invalidated(change),
    resubscribed: () => void grants.sweep("invalidation channel reconnected"),
  });
  const reauthorize = setInterval(() => void grants.sweep("periodic re-authorisation"), reauthorizeMs);
  reauthorize.unref();

  const stats = (): GatewayStats => {
    const perCamera: Record<string, RelayStats> = {};
    let viewers = 0;
    for (const [cameraId, relay] of relays) {
      perCamera[cameraId] = relay.stats();
      viewers += relay.viewers.size;
    }
    return { relays: relays.size, viewers, perCamera };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    if (req.method === "GET" && path === "/health") {
      const { relays: relayCount, viewers } = stats();
      sendJson(res, 200, { status: closing ? "closing" : "ok", relays: relayCount, viewers });
      return;
    }
    sendJson(res, 404, { error: "not found" });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 4096 });

  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    // A client may reset while we check its token; without a listener that error would crash us.
    socket.on("error", (err) => log.debug({ err: err.message }, "upgrade socket error"));
    void handleUpgrade(req, socket, head);
  });

  async function handleUpgrade(req: IncomingMessage, socket: Socket, head: Buffer) {
    // Never log req.url: it carries the token.
    const url = new URL(req.url ?? "/", "http://gateway");
    const match = LIVE_PATH.exec(url.pathname);
    const cameraId = match?.[1] ? decodePathSegment(match[1]) : undefined;
    const remote = req.socket.remoteAddress;
    if (closing) return refuseUpgrade(socket, 503, "gateway is shutting down");
    if (!cameraId) return refuseUpgrade(socket, 404, "not found");

    const refuse = (status: number, reason: string) => {
      log.info({ cameraId, status, reason, remote }, "live view refused");
      refuseUpgrade(socket, status, reason);
    };
    const verified = verifyTicket(secret, cameraId, url.searchParams.get("token"));
    if (!verified.ok) return refuse(verified.status, verified.reason);
    const { orgId, userId, jti } = verified.ticket;
    const grant: Grant = { cameraId, orgId, userId };
    const checkpoint = grants.checkpoint();

    let decision: Awaited<ReturnType<typeof checkGrant>>;
    try {
      // Spent before anything else: a refused ticket cannot be retried either.
      if (!(await spendTicket(redis.tickets, options.redis.prefix, verified.ticket))) {
        return refuse(401, "ticket already used");
      }
    } catch (err) {
      log.error({ err: (err as Error).message, cameraId }, "could not spend live-view ticket; refusing");
      return refuseUpgrade(socket, 503, "temporarily unavailable");
    }
    try {
      decision = await checkGrant(db, grant);
    } catch (err) {
      log.error({ err, cameraId }, "live-view authorization failed");
      return refuseUpgrade(socket, 503, "temporarily unavailable");
    }
    if (!decision.ok) return refuse(decision.status, decision.reason);
    if (closing) return refuseUpgrade(socket, 503, "gateway is shutting down");

    const connectUrl = decision.url;
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (closing) {
        ws.close(1001, "going away");
        return;
      }
      let relay = relays.get(cameraId);
      if (relay) relay.updateUrl(connectUrl);
      else {
        relay = new CameraRelay(cameraId, connectUrl, timings, log, (closed) => {
          if (relays.get(cameraId) === closed) relays.delete(cameraId);
        });
        relays.set(cameraId, relay);
      }
      log.info({ cameraId, orgId, userId, remote }, "live view opened");
      watchLiveness(ws);
      // Viewers have nothing to say; anything they send is ignored.
      const watched = relay;
      register.opened(ws, { jti, orgId, cameraId }, () => watched.lastSentAt(ws));
      relay.addViewer(ws);
      grants.add(ws, grant, checkpoint);
    });
  }

  // Ping every viewer; one that did not answer the previous ping is gone (e.g. a laptop lid closed).
  const alive = new WeakMap<WebSocket, boolean>();
  function watchLiveness(ws: WebSocket) {
    alive.set(ws, true);
    ws.on("pong", () => alive.set(ws, true));
  }
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        terminateViewer(ws);
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const killAll = () => {
    for (const relay of relays.values()) relay.killNow();
  };
  process.on("exit", killAll);

  const port = await new Promise<number>((resolve, reject) => {
    const onError = (err: Error) => {
      clearInterval(reauthorize);
      redis.close();
      reject(err);
    };
    server.once("error", onError);
    const onListening = () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    };
    if (options.host) server.listen(options.port, options.host, onListening);
    else server.listen(options.port, onListening);
  });
  server.on("error", (err) => log.error({ err }, "gateway server error"));
  log.info({ port }, "live-view gateway listening");

  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      closing = true;
      clearInterval(heartbeat);
      clearInterval(reauthorize);
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...relays.values()].map((relay) => relay.close(1001, "gateway shutting down")));
      // No more video is sent: the register gets every open stream's end before the database pool goes.
      await register.endAll(END_REASONS.gatewayStopped);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await serverClosed;
      redis.close();
      process.off("exit", killAll);
      log.info("live-view gateway closed");
    })();
    return closed;
  };

  return { port, stats, close };
}

function decodePathSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
  });
  res.end(text);
}

/** Answers a WebSocket upgrade with a plain HTTP error and closes the socket. */
function refuseUpgrade(socket: Socket, status: number, message: string) {
  if (socket.destroyed) return;
  const body = JSON.stringify({ error: message });
  socket.once("finish", () => socket.destroy());
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
      "Connection: close",
      "Content-Type: application/json; charset=utf-8",
      `Content-Length: ${Buffer.byteLength(body)}`,
      "Cache-Control: no-store",
      "",
      body,
    ].join("\r\n"),
  );
}
