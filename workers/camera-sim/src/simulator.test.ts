import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CameraSimulator, DEFAULT_CACHE_DIR, parseFlakySpec, SLIDESHOW, startCameraSimulator } from "./simulator";
import { probe } from "./testing";

// Real ffmpeg publishers, a real RTSP server and real ffprobe readers; nothing is mocked.

const logs: string[] = [];
const log = (msg: string) => logs.push(msg);

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

async function eventually<T>(check: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe("camera simulator with two cameras", { timeout: 30_000 }, () => {
  let sim: CameraSimulator;

  beforeAll(async () => {
    sim = await startCameraSimulator({ count: 2, port: 0, log });
  }, 30_000);

  afterAll(async () => {
    await sim?.stop();
  });

  it("lists the cameras with their URLs", () => {
    expect(sim.port).toBeGreaterThan(0);
    expect(sim.cameras.map((camera) => camera.url)).toEqual([
      `rtsp://127.0.0.1:${sim.port}/cam1`,
      `rtsp://127.0.0.1:${sim.port}/cam2`,
    ]);
    expect(sim.urlOf(2)).toBe(`rtsp://127.0.0.1:${sim.port}/cam2`);
    expect(sim.cameras.every((camera) => camera.source.endsWith("hamilton_clip.mp4"))).toBe(true);
    expect(() => sim.urlOf(3)).toThrow(RangeError);
  });

  it("serves an H.264 stream with a size on every camera", async () => {
    const results = await Promise.all([probe(sim.urlOf(1)), probe(sim.urlOf(2))]);
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.video).toMatchObject({ codec_name: "h264", width: 640, height: 360 });
    }
  });

  it("answers 404 for a path that is not a camera", async () => {
    const result = await probe(`rtsp://127.0.0.1:${sim.port}/cam9`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("404 Not Found");
    expect(result.video).toBeUndefined();
  });

  it("takes one camera down and brings it back while the other keeps streaming", async () => {
    await sim.stopCamera(1);
    expect(sim.publisherPid(1)).toBeUndefined();
    const [down, other] = await Promise.all([probe(sim.urlOf(1)), probe(sim.urlOf(2))]);
    expect(down.code).not.toBe(0);
    expect(down.stderr).toContain("404 Not Found");
    expect(other.code, other.stderr).toBe(0);
    expect(other.video?.codec_name).toBe("h264");

    await sim.startCamera(1);
    const up = await probe(sim.urlOf(1));
    expect(up.code, up.stderr).toBe(0);
    expect(up.video).toMatchObject({ codec_name: "h264", width: 640, height: 360 });
  });

  it("restarts a publisher that dies unexpectedly", async () => {
    const pid = sim.publisherPid(2);
    expect(pid).toBeTypeOf("number");
    process.kill(pid as number, "SIGKILL");
    const restarted = await eventually(
      async () => sim.publisherPid(2),
      (next) => next !== undefined && next !== pid,
      5_000,
    );
    expect(restarted).not.toBe(pid);
    const result = await eventually(
      () => probe(sim.urlOf(2)),
      (r) => r.code === 0,
      10_000,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(logs.some((line) => line.includes("cam2: publisher exited"))).toBe(true);
  });

  it("closes the port and ends every publisher on stop()", async () => {
    const pids = [sim.publisherPid(1), sim.publisherPid(2)];
    await sim.stop();
    expect(await portIsClosed(sim.port)).toBe(true);
    const result = await probe(sim.urlOf(1));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("Connection refused");
    for (const pid of pids) expect(() => process.kill(pid as number, 0)).toThrow();
    await expect(sim.startCamera(1)).rejects.toThrow(/stopped/);
  });
});

describe("camera simulator with credentials", { timeout: 30_000 }, () => {
  let sim: CameraSimulator;

  beforeAll(async () => {
    sim = await startCameraSimulator({ count: 1, port: 0, credentials: { username: "admin", password: "s3cret" } });
  }, 30_000);

  afterAll(async () => {
    await sim?.stop();
  });

  it("streams to a reader with the right password and refuses a wrong one", async () => {
    expect(sim.urlOf(1)).toBe(`rtsp://admin:s3cret@127.0.0.1:${sim.port}/cam1`);
    const [ok, wrong, none] = await Promise.all([
      probe(sim.urlOf(1)),
      probe(`rtsp://admin:wrong@127.0.0.1:${sim.port}/cam1`),
      probe(`rtsp://127.0.0.1:${sim.port}/cam1`),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.video?.codec_name).toBe("h264");
    for (const refused of [wrong, none]) {
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("401 Unauthorized");
    }
  });
});

describe("face slideshow camera", { timeout: 90_000 }, () => {
  let sim: CameraSimulator;

  beforeAll(async () => {
    // The default cache: rendered once per checkout, reused by later runs.
    sim = await startCameraSimulator({ count: 5, port: 0 });
  }, 90_000);

  afterAll(async () => {
    await sim?.stop();
  });

  it("publishes the pre-rendered face stills on every 5th camera", async () => {
    const fifth = sim.cameras[4];
    expect(fifth?.source.startsWith(DEFAULT_CACHE_DIR)).toBe(true);
    expect(fifth?.source).toMatch(/faces-slideshow-[0-9a-f]+\.mp4$/);
    const result = await probe(sim.urlOf(5));
    expect(result.code, result.stderr).toBe(0);
    expect(result.video).toMatchObject({ codec_name: "h264", width: SLIDESHOW.width, height: SLIDESHOW.height });
  });
});

describe("parseFlakySpec", () => {
  it("reads index, seconds down and seconds up", () => {
    expect(parseFlakySpec("3:10:20")).toEqual({ index: 3, secondsDown: 10, secondsUp: 20 });
    expect(() => parseFlakySpec("3:10")).toThrow(/index/);
    expect(() => parseFlakySpec("0:1:1")).toThrow(/positive/);
  });
});
