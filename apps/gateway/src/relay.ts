import type { ChildProcess } from "node:child_process";
import type { EventEmitter } from "node:events";
import { createRequire } from "node:module";
import type { Logger } from "pino";
import { WebSocket } from "ws";
import { maskRtspUrl, redactorFor } from "./mask";
import { closeViewer } from "./register";

const TS_PACKET_BYTES = 188;

export type RelayTimings = {
  /** Stop ffmpeg this long after the last viewer leaves. */
  idleStopMs: number;
  /** First restart delay; doubles per consecutive failure. */
  restartBaseMs: number;
  restartMaxMs: number;
  /** A run that streamed this long resets the backoff. */
  healthyAfterMs: number;
  /** ffmpeg must produce its first bytes within this (connect, first keyframe). */
  startTimeoutMs: number;
  /** ffmpeg that produced nothing for this long is treated as dead (a dropped UDP camera sends nothing, forever). */
  stallTimeoutMs: number;
  /** A viewer further behind than this many buffered bytes misses chunks until it catches up. */
  maxViewerBufferBytes: number;
};

export const DEFAULT_TIMINGS: RelayTimings = {
  idleStopMs: 10_000,
  restartBaseMs: 1_000,
  restartMaxMs: 30_000,
  healthyAfterMs: 30_000,
  startTimeoutMs: 20_000,
  stallTimeoutMs: 5_000,
  maxViewerBufferBytes: 1024 * 1024,
};

const KILL_GRACE_MS = 2_000;

/**
 * Output options for node-rtsp-stream's Mpeg1Muxer, which runs
 * `ffmpeg -i <url> -f mpegts -codec:v mpeg1video <these> -` (what JSMpeg decodes).
 * The muxer places every option after `-i`, so no input option (socket timeout, transport) can
 * be set: ffmpeg's default transport (UDP, falling back to TCP) applies, and a camera that goes
 * silent is caught by the relay's stall watchdog instead of a socket timeout.
 */
export const RELAY_OUTPUT_OPTIONS: Record<string, string> = {
  "-loglevel": "error",
  "-nostdin": "",
  "-map": "0:v:0",
  "-an": "",
  "-sn": "",
  "-vf": "scale='trunc(min(640,iw)/2)*2':-2",
  "-r": "25",
  "-b:v": "800k",
  "-bf": "0",
};

type Muxer = EventEmitter & { stream: ChildProcess };
const require = createRequire(import.meta.url);
const Mpeg1Muxer = require("node-rtsp-stream/mpeg1muxer.js") as new (options: {
  url: string;
  ffmpegPath: string;
  ffmpegOptions: Record<string, string>;
}) => Muxer;

/** The ffmpeg arguments the muxer uses for a camera (for tests and diagnostics). */
export function relayFfmpegArgs(rtspUrl: string): string[] {
  const extra = Object.entries(RELAY_OUTPUT_OPTIONS).flatMap(([flag, value]) =>
    value === "" ? [flag] : [flag, value],
  );
  return ["-i", rtspUrl, "-f", "mpegts", "-codec:v", "mpeg1video", ...extra, "-"];
}

export type RelayStats = { viewers: number; restarts: number; running: boolean };

/** One camera's ffmpeg and the WebSockets watching it. */
export class CameraRelay {
  readonly viewers = new Set<WebSocket>();
  restarts = 0;
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private failures = 0;
  private firstByteAt?: number;
  private restartTimer?: NodeJS.Timeout;
  private idleTimer?: NodeJS.Timeout;
  private watchdog?: NodeJS.Timeout;
  private pending = Buffer.alloc(0);
  private laggingViewers = new WeakSet<WebSocket>();
  // When video was last handed to each viewer's socket (the register's end time).
  private lastSent = new WeakMap<WebSocket, Date>();
  private closed = false;
  private rtspUrl: string;
  private redact: (text: string) => string;
  private readonly log: Logger;

  constructor(
    readonly cameraId: string,
    rtspUrl: string,
    private readonly timings: RelayTimings,
    logger: Logger,
    /** Called when the relay starts closing (idle, or gateway shutdown). */
    private readonly onClosed: (relay: CameraRelay) => void,
  ) {
    this.rtspUrl = rtspUrl;
    this.redact = redactorFor(rtspUrl);
    this.log = logger.child({ cameraId, rtsp: maskRtspUrl(rtspUrl) });
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  stats(): RelayStats {
    return { viewers: this.viewers.size, restarts: this.restarts, running: this.running };
  }

  /** The camera's URL may have been edited since the relay started; the next (re)start uses the new one. */
  updateUrl(rtspUrl: string) {
    if (rtspUrl === this.rtspUrl) return;
    this.rtspUrl = rtspUrl;
    this.redact = redactorFor(rtspUrl);
  }

  /** When the last video was written to this viewer's socket; undefined if none was. */
  lastSentAt(ws: WebSocket): Date | undefined {
    return this.lastSent.get(ws);
  }

  addViewer(ws: WebSocket) {
    if (this.closed) {
      closeViewer(ws, 1013, "relay closing");
      return;
    }
    this.viewers.add(ws);
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    ws.on("close", () => this.removeViewer(ws));
    ws.on("error", (err) => this.log.debug({ err: err.message }, "viewer socket error"));
    this.log.info({ viewers: this.viewers.size }, "viewer joined");
    if (!this.child && !this.restartTimer) this.spawn();
  }

  private removeViewer(ws: WebSocket) {
    if (!this.viewers.delete(ws)) return;
    this.log.info({ viewers: this.viewers.size }, "viewer left");
    if (this.viewers.size > 0 || this.closed) return;
    // A waiting restart would start ffmpeg for nobody.
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.idleTimer = setTimeout(() => {
      this.log.info({ idleStopMs: this.timings.idleStopMs }, "no viewers; stopping relay");
      void this.close();
    }, this.timings.idleStopMs);
  }

  private spawn() {
    this.restartTimer = undefined;
    this.pending = Buffer.alloc(0);
    this.firstByteAt = undefined;
    let stderrTail = "";
    const muxer = new Mpeg1Muxer({ url: this.rtspUrl, ffmpegPath: "ffmpeg", ffmpegOptions: RELAY_OUTPUT_OPTIONS });
    // On exit code 1 the muxer also prints a bare line to the console; the relay logs exits itself.
    const child = muxer.stream;
    this.child = child;
    const startedAt = Date.now();
    this.log.info({ pid: child.pid, restarts: this.restarts }, "relay ffmpeg started");
    this.armWatchdog(this.timings.startTimeoutMs, "no video from camera");

    muxer.on("mpeg1data", (chunk: Buffer) => {
      if (this.firstByteAt === undefined) {
        this.firstByteAt = Date.now();
        this.log.info({ afterMs: this.firstByteAt - startedAt }, "relay streaming");
      }
      this.armWatchdog(this.timings.stallTimeoutMs, "camera stream stalled");
      this.broadcast(chunk);
    });
    muxer.on("ffmpegStderr", (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString()).slice(-2000);
    });
    this.exited = new Promise((resolve) => {
      child.on("error", (err) => this.log.error({ err: err.message }, "could not start ffmpeg"));
      child.on("close", (code, signal) => {
        if (this.child === child) this.child = undefined;
        clearTimeout(this.watchdog);
        resolve();
        const streamedMs = this.firstByteAt === undefined ? 0 : Date.now() - this.firstByteAt;
        const detail = {
          code,
          signal,
          streamedMs,
          stderr: this.redact(stderrTail.trim()).split("\n").slice(-3).join(" | ") || undefined,
        };
        if (this.closed || this.viewers.size === 0) {
          this.log.info(detail, "relay ffmpeg stopped");
          return;
        }
        if (streamedMs >= this.timings.healthyAfterMs) this.failures = 0;
        const delayMs = Math.min(this.timings.restartBaseMs * 2 ** this.failures, this.timings.restartMaxMs);
        this.failures++;
        this.log.warn({ ...detail, delayMs }, "relay ffmpeg exited; restarting");
        this.restartTimer = setTimeout(() => {
          this.restarts++;
          this.spawn();
        }, delayMs);
      });
    });
  }

  private armWatchdog(ms: number, reason: string) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      this.log.warn({ afterMs: ms }, `${reason}; killing ffmpeg`);
      this.kill();
    }, ms);
  }

  /** Sends whole 188-byte TS packets only, so a viewer that joins mid-stream starts on a packet boundary. */
  private broadcast(chunk: Buffer) {
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const usable = data.length - (data.length % TS_PACKET_BYTES);
    this.pending = Buffer.from(data.subarray(usable));
    if (usable === 0) return;
    const packets = data.subarray(0, usable);
    for (const ws of this.viewers) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > this.timings.maxViewerBufferBytes) {
        if (!this.laggingViewers.has(ws)) this.log.warn("viewer too slow; skipping video until it catches up");
        this.laggingViewers.add(ws);
        continue;
      }
      this.laggingViewers.delete(ws);
      // Stamped when the socket took the data, not when it was queued behind a slow viewer.
      ws.send(packets, { binary: true }, (err) => {
        if (!err) this.lastSent.set(ws, new Date());
      });
    }
  }

  private kill() {
    const child = this.child;
    if (!child) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), KILL_GRACE_MS);
    child.once("close", () => clearTimeout(killer));
  }

  /** Stops ffmpeg and disconnects every viewer; the relay cannot be reused. */
  async close(code = 1001, reason = "going away") {
    if (this.closed) return;
    this.closed = true;
    // Forget the relay now: a viewer arriving while ffmpeg winds down gets a fresh relay.
    this.onClosed(this);
    clearTimeout(this.idleTimer);
    clearTimeout(this.restartTimer);
    clearTimeout(this.watchdog);
    for (const ws of this.viewers) closeViewer(ws, code, reason);
    this.viewers.clear();
    this.kill();
    if (this.child) await this.exited;
  }

  /** Last-resort cleanup when the process exits without close(). */
  killNow() {
    this.child?.kill("SIGKILL");
  }
}
