import { createServer, type IncomingMessage, type ServerResponse, STATUS_CODES } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Database } from "@consentry/db";
import type { Logger } from "pino";
import { type WebSocket, WebSocketServer } from "ws";
import { authorizeLiveView } from "./access";
import { CameraRelay, DEFAULT_TIMINGS, type RelayStats, type RelayTimings } from "./relay";

export { maskRtspUrl } from "./mask";
export { relayFfmpegArgs } from "./relay";

export type GatewayOptions = {
  db: Database;
  /** 0 picks a free port. */
  port: number;
  /** Host to bind; default all interfaces. */
  host?: string;
  /** CONSENTRY_LIVE_VIEW_SECRET: verifies the tickets the dashboard signs. */
  secret: string;
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

/**
 * The live-view relay: one HTTP server and one WebSocket server on one port. The browser opens
 * `ws://<gateway>/live/<cameraId>?token=<token>` and receives MPEG-1 video in MPEG-TS (JSMpeg).
 * Per camera at most one ffmpeg, shared by all its viewers, restarted with backoff when the
 * camera drops and stopped `idleStopMs` after the last viewer leaves.
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { db, secret, logger } = options;
  const timings: RelayTimings = {
    ...DEFAULT_TIMINGS,
    ...options.timings,
    ...(options.idleStopMs === undefined ? {} : { idleStopMs: options.idleStopMs }),
  };
  const log = logger.child({ component: "gateway" });
  const relays = new Map<string, CameraRelay>();
  const sockets = new Set<Socket>();
  let closing = false;

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

    let decision: Awaited<ReturnType<typeof authorizeLiveView>>;
    try {
      decision = await authorizeLiveView(db, secret, cameraId, url.searchParams.get("token"));
    } catch (err) {
      log.error({ err, cameraId }, "live-view authorization failed");
      return refuseUpgrade(socket, 503, "temporarily unavailable");
    }
    if (!decision.ok) {
      log.info({ cameraId, status: decision.status, reason: decision.reason, remote }, "live view refused");
      return refuseUpgrade(socket, decision.status, decision.reason);
    }
    if (closing) return refuseUpgrade(socket, 503, "gateway is shutting down");

    const { rtspUrl, orgId, userId } = decision;
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      if (closing) {
        ws.close(1001, "going away");
        return;
      }
      let relay = relays.get(cameraId);
      if (relay) relay.updateUrl(rtspUrl);
      else {
        relay = new CameraRelay(cameraId, rtspUrl, timings, log, (closed) => {
          if (relays.get(cameraId) === closed) relays.delete(cameraId);
        });
        relays.set(cameraId, relay);
      }
      log.info({ cameraId, orgId, userId, remote }, "live view opened");
      watchLiveness(ws);
      // Viewers have nothing to say; anything they send is ignored.
      relay.addViewer(ws);
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
        ws.terminate();
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
    server.once("error", reject);
    const onListening = () => {
      server.off("error", reject);
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
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...relays.values()].map((relay) => relay.close(1001, "gateway shutting down")));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const socket of sockets) socket.destroy();
      await serverClosed;
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
