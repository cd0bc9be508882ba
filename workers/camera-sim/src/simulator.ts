import { type ChildProcess, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import type { AddressInfo, Server, Socket } from "node:net";
import { resolve } from "node:path";
import { env } from "@consentry/env";
import { FIXTURES_DIR } from "@consentry/fixtures";
import { type Mount, RtspServer } from "rtsp-streaming-server";
import { ensureFacesSlideshow } from "./slideshow";

export { ensureFacesSlideshow, faceImages, SLIDESHOW } from "./slideshow";

const REPO_ROOT = resolve(import.meta.dirname, "../../..");
export const DEFAULT_FIXTURES_DIR = FIXTURES_DIR;
export const DEFAULT_CACHE_DIR = resolve(REPO_ROOT, ".data/camera-sim");

/** Every 5th camera shows the face slideshow; the others the Hamilton clip. */
export const SLIDESHOW_EVERY = 5;
// Thirty publishers start at once; on a loaded 2-core machine the last one took over 20 s.
const READY_TIMEOUT_MS = 60_000;
/** A publisher not live by then is killed and restarted (a failed RTP bind never recovers by itself). */
const STUCK_AFTER_MS = 15_000;
const STOP_GRACE_MS = 3_000;
const RESTART_BASE_MS = 500;
const RESTART_MAX_MS = 10_000;
/** A publisher that ran this long counts as healthy again: the next crash restarts quickly. */
const HEALTHY_AFTER_MS = 30_000;

export type CameraSimulatorOptions = {
  count: number;
  /** RTSP port readers connect to; default env.CAMERA_SIM_PORT; 0 picks a free port. */
  port?: number;
  /** Folder with hamilton_clip.mp4 and faces/; default packages/fixtures. */
  fixturesDir?: string;
  /** Where the rendered face slideshow is kept between runs; default `<repo>/.data/camera-sim`. */
  cacheDir?: string;
  /** When set, readers must send these (RTSP Basic auth) and `url`s carry them. */
  credentials?: { username: string; password: string };
  log?: (msg: string) => void;
};

export type SimulatedCamera = {
  /** 1-based. */
  index: number;
  /** `/camN` */
  path: string;
  /** `rtsp://[user:pass@]127.0.0.1:<port>/camN` */
  url: string;
  /** The media file its publisher loops. */
  source: string;
};

export type CameraSimulator = {
  port: number;
  cameras: SimulatedCamera[];
  urlOf(index: number): string;
  /** Stops the camera's publisher; readers then get 404 for its path until it starts again. */
  stopCamera(index: number): Promise<void>;
  /** Starts (or keeps) the camera's publisher; resolves once the stream is published. */
  startCamera(index: number): Promise<void>;
  /** Stops every publisher and closes the RTSP port. */
  stop(): Promise<void>;
  /** Process id of the camera's ffmpeg publisher, if one is running (for tests and diagnostics). */
  publisherPid(index: number): number | undefined;
};

type CameraState = SimulatedCamera & {
  /** Whether the camera should be up; an unexpected publisher exit is restarted while true. */
  wanted: boolean;
  child?: ChildProcess;
  exited?: Promise<void>;
  startedAt: number;
  failures: number;
  restartTimer?: NodeJS.Timeout;
  stderrTail: string;
};

/**
 * A real RTSP server in this process (rtsp-streaming-server) with one looping ffmpeg publisher
 * per camera. Publishers ANNOUNCE/RECORD on a private loopback port; readers DESCRIBE/SETUP/PLAY
 * on `port` and receive RTP over UDP (the server has no TCP interleaving).
 */
export async function startCameraSimulator(options: CameraSimulatorOptions): Promise<CameraSimulator> {
  const { count, credentials } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer, got ${count}`);
  const log = options.log ?? (() => {});
  const fixturesDir = options.fixturesDir ?? DEFAULT_FIXTURES_DIR;
  const cacheDir = options.cacheDir ?? DEFAULT_CACHE_DIR;
  const clip = resolve(fixturesDir, "hamilton_clip.mp4");
  const slideshow = count >= SLIDESHOW_EVERY ? await ensureFacesSlideshow(fixturesDir, cacheDir, log) : undefined;

  const rtsp = new RtspServer({
    serverPort: 0,
    clientPort: 0,
    // The library hands out RTP/RTCP pairs from a fixed range. A random window keeps several
    // simulators (parallel test files, the demo) apart; ffmpeg's own client ports start at 5000.
    rtpPortStart: 20_000 + 2 * randomInt(0, 4_500),
    rtpPortCount: 1_000,
    clientServerHooks: credentials
      ? {
          authentication: async (username, password) =>
            username === credentials.username && password === credentials.password,
        }
      : undefined,
  });
  // The library puts a port back into its pool every time a client is closed, and a client can
  // be closed twice (its mount goes away, then its session times out): keep the pool unique.
  rtsp.Mounts.returnRtpPortToPool = (port: number) => {
    if (!rtsp.Mounts.rtpPorts.includes(port)) rtsp.Mounts.rtpPorts.push(port);
  };

  const publishServer = rtsp.PublishServer.server as Server;
  const clientServer = rtsp.ClientServer.server as Server;
  const sockets = new Set<Socket>();
  for (const [name, server] of [
    ["publish", publishServer],
    ["client", clientServer],
  ] as const) {
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    // rtsp-server re-emits malformed requests as server errors; without a listener they would crash us.
    server.on("error", (error: Error) => log(`rtsp ${name} server error: ${error.message}`));
  }
  const publishPort = await listen(publishServer, 0, "127.0.0.1");
  let port: number;
  try {
    port = await listen(clientServer, options.port ?? env.CAMERA_SIM_PORT);
  } catch (error) {
    publishServer.close();
    throw error;
  }

  const auth = credentials
    ? `${encodeURIComponent(credentials.username)}:${encodeURIComponent(credentials.password)}@`
    : "";
  const cameras: CameraState[] = Array.from({ length: count }, (_, i) => {
    const index = i + 1;
    const path = `/cam${index}`;
    return {
      index,
      path,
      url: `rtsp://${auth}127.0.0.1:${port}${path}`,
      source: slideshow && index % SLIDESHOW_EVERY === 0 ? slideshow : clip,
      wanted: false,
      startedAt: 0,
      failures: 0,
      stderrTail: "",
    };
  });
  const publishUrl = (camera: CameraState) => `rtsp://127.0.0.1:${publishPort}${camera.path}`;
  let stopping = false;

  const camera = (index: number): CameraState => {
    const found = cameras[index - 1];
    if (!Number.isInteger(index) || !found) throw new RangeError(`no camera ${index} (there are ${count})`);
    return found;
  };

  /** Published, and the RTP/RTCP listeners are bound (the library ignores a failed bind). */
  const isLive = (state: CameraState) => {
    const mount: Mount | undefined = rtsp.Mounts.mounts[state.path];
    const streams = mount ? Object.values(mount.streams) : [];
    return streams.length > 0 && streams.every((stream) => isBound(stream.listenerRtp) && isBound(stream.listenerRtcp));
  };

  const spawnPublisher = (state: CameraState) => {
    state.restartTimer = undefined;
    state.stderrTail = "";
    const args = [
      ...["-hide_banner", "-nostdin", "-loglevel", "error"],
      ...["-re", "-stream_loop", "-1", "-i", state.source],
      ...["-map", "0:v:0", "-c:v", "copy", "-an"],
      // The server only takes RTP over UDP from publishers.
      ...["-f", "rtsp", "-rtsp_transport", "udp", publishUrl(state)],
    ];
    const child = spawn("ffmpeg", args, { stdio: ["ignore", "ignore", "pipe"] });
    state.child = child;
    state.startedAt = Date.now();
    child.stderr?.on("data", (chunk: Buffer) => {
      state.stderrTail = (state.stderrTail + chunk.toString()).slice(-2000);
    });
    state.exited = new Promise((resolveExit) => {
      child.on("error", (error) => log(`cam${state.index}: could not start ffmpeg: ${error.message}`));
      child.on("close", (code, signal) => {
        if (state.child === child) state.child = undefined;
        // A publisher that died without TEARDOWN leaves its mount behind (and a second ANNOUNCE
        // would get 503), so the mount goes with the process.
        rtsp.Mounts.deleteMount(publishUrl(state));
        resolveExit();
        if (!state.wanted || stopping) return;
        if (Date.now() - state.startedAt >= HEALTHY_AFTER_MS) state.failures = 0;
        const delay = Math.min(RESTART_BASE_MS * 2 ** state.failures, RESTART_MAX_MS);
        state.failures++;
        log(
          `cam${state.index}: publisher exited (${signal ?? code}); restarting in ${delay} ms${
            state.stderrTail ? `: ${state.stderrTail.trim().split("\n").at(-1)}` : ""
          }`,
        );
        state.restartTimer = setTimeout(() => spawnPublisher(state), delay);
      });
    });
  };

  const startCamera = async (index: number) => {
    const state = camera(index);
    if (stopping) throw new Error("the camera simulator is stopped");
    state.wanted = true;
    if (state.restartTimer) clearTimeout(state.restartTimer);
    if (!state.child) spawnPublisher(state);
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!isLive(state)) {
      if (!state.wanted || stopping) throw new Error(`cam${index} was stopped while starting`);
      if (Date.now() > deadline) {
        throw new Error(`cam${index} was not published within ${READY_TIMEOUT_MS} ms: ${state.stderrTail.trim()}`);
      }
      if (state.child && Date.now() - state.startedAt > STUCK_AFTER_MS) state.child.kill("SIGKILL");
      await sleep(50);
    }
  };

  const stopCamera = async (index: number) => {
    const state = camera(index);
    state.wanted = false;
    if (state.restartTimer) clearTimeout(state.restartTimer);
    state.restartTimer = undefined;
    state.failures = 0;
    const child = state.child;
    if (child) {
      // SIGTERM lets ffmpeg send TEARDOWN; SIGKILL if it hangs.
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await state.exited;
      clearTimeout(killer);
    }
    rtsp.Mounts.deleteMount(publishUrl(state));
  };

  const killAll = () => {
    for (const state of cameras) state.child?.kill("SIGKILL");
  };
  process.on("exit", killAll);

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      await Promise.all(cameras.map((state) => stopCamera(state.index)));
      // Closing the sessions clears their 60 s keep-alive timers, which would hold the process open.
      for (const wrapper of Object.values(rtsp.ClientServer.clients)) wrapper.close();
      for (const path of Object.keys(rtsp.Mounts.mounts)) rtsp.Mounts.deleteMount(`rtsp://127.0.0.1${path}`);
      for (const socket of sockets) socket.destroy();
      await Promise.all([closeServer(publishServer), closeServer(clientServer)]);
      process.off("exit", killAll);
      log("camera simulator stopped");
    })();
    return stopped;
  };

  try {
    await Promise.all(cameras.map((state) => startCamera(state.index)));
  } catch (error) {
    await stop();
    throw error;
  }
  log(`camera simulator: ${count} camera(s) on rtsp://127.0.0.1:${port}/cam1..cam${count}`);

  return {
    port,
    cameras: cameras.map(({ index, path, url, source }) => ({ index, path, url, source })),
    urlOf: (index) => camera(index).url,
    stopCamera,
    startCamera,
    stop,
    publisherPid: (index) => camera(index).child?.pid,
  };
}

export type FlakySpec = { index: number; secondsDown: number; secondsUp: number };

/** Parses `<index>:<secondsDown>:<secondsUp>`, e.g. `3:10:20`. */
export function parseFlakySpec(spec: string): FlakySpec {
  const match = /^(\d+):(\d+(?:\.\d+)?):(\d+(?:\.\d+)?)$/.exec(spec.trim());
  if (!match) throw new Error(`--flaky expects <index>:<secondsDown>:<secondsUp>, got "${spec}"`);
  const [index, secondsDown, secondsUp] = match.slice(1).map(Number) as [number, number, number];
  if (index < 1 || secondsDown <= 0 || secondsUp <= 0) throw new Error(`--flaky values must be positive: "${spec}"`);
  return { index, secondsDown, secondsUp };
}

/** Takes a camera down and up in a loop (up for secondsUp, then down for secondsDown); returns a stop function. */
export function runFlakyCamera(sim: CameraSimulator, spec: FlakySpec, log: (msg: string) => void = () => {}) {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const schedule = (up: boolean) => {
    timer = setTimeout(
      async () => {
        if (cancelled) return;
        try {
          if (up) {
            log(`cam${spec.index}: going down for ${spec.secondsDown} s`);
            await sim.stopCamera(spec.index);
          } else {
            log(`cam${spec.index}: coming back for ${spec.secondsUp} s`);
            await sim.startCamera(spec.index);
          }
        } catch (error) {
          if (!cancelled) log(`cam${spec.index}: flaky step failed: ${(error as Error).message}`);
        }
        if (!cancelled) schedule(!up);
      },
      (up ? spec.secondsUp : spec.secondsDown) * 1000,
    );
  };
  schedule(true);
  return () => {
    cancelled = true;
    clearTimeout(timer);
  };
}

function isBound(listener: { server: { address(): unknown } } | undefined): boolean {
  if (!listener) return false;
  try {
    listener.server.address();
    return true;
  } catch {
    return false;
  }
}

function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    const onListening = () => {
      server.off("error", onError);
      resolveListen((server.address() as AddressInfo).port);
    };
    if (host) server.listen(port, host, onListening);
    else server.listen(port, onListening);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    if (!server.listening) return resolveClose();
    server.close(() => resolveClose());
  });
}

function sleep(ms: number) {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, ms));
}
