import { spawn } from "node:child_process";

export type RawFrame = { data: Uint8Array; width: number; height: number; at: number };

export class StreamError extends Error {
  override name = "StreamError";
}

export type FrameSource = {
  /** Resolves when the stream ends; rejects with a StreamError when it dies or stalls. */
  done: Promise<void>;
  stop(): void;
};

/**
 * Decodes an RTSP stream with ffmpeg into RGB frames of a fixed size (letterboxed) at the
 * analysis rate. Frames are handed over as they arrive; the caller decides what to drop, so
 * nothing queues up here.
 */
export function openFrameSource(options: {
  url: string;
  fps: number;
  width: number;
  height: number;
  onFrame: (frame: RawFrame) => void;
  /** No frame for this long counts as a dead stream. */
  stallTimeoutMs?: number;
  /** The first frame may take longer: RTSP setup, the UDP fallback, waiting for a key frame. */
  startTimeoutMs?: number;
}): FrameSource {
  const { url, fps, width, height, onFrame, stallTimeoutMs = 10_000 } = options;
  const startTimeoutMs = Math.max(options.startTimeoutMs ?? 15_000, stallTimeoutMs);
  const frameBytes = width * height * 3;
  const filter = [
    `fps=${fps}`,
    `scale=${width}:${height}:force_original_aspect_ratio=decrease`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2`,
  ].join(",");
  const child = spawn(
    "ffmpeg",
    [
      ...["-hide_banner", "-nostdin", "-loglevel", "error"],
      // 0.2 s of stream analysis instead of 5: an RTSP camera's SDP already describes its stream,
      // and a taken-over camera is analysed again that much sooner.
      ...["-rtsp_flags", "prefer_tcp", "-fflags", "nobuffer", "-analyzeduration", "200000"],
      // One decoding and one filter thread per camera: a worker reads many streams on few cores,
      // and ffmpeg's default of one thread per core only adds buffers and switching.
      ...["-threads", "1", "-filter_threads", "1", "-i", url],
      ...["-an", "-vf", filter, "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"],
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let stopped = false;
  let stderrTail = "";
  let frame = new Uint8Array(frameBytes);
  let filled = 0;
  let lastFrameAt = Date.now();
  let started = false;
  const timeoutMs = () => (started ? stallTimeoutMs : startTimeoutMs);

  child.stdout.on("data", (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === frameBytes) {
        lastFrameAt = Date.now();
        started = true;
        onFrame({ data: frame, width, height, at: lastFrameAt });
        frame = new Uint8Array(frameBytes);
        filled = 0;
      }
    }
  });
  // ffmpeg's messages can carry the URL with its password: kept for the error, never logged as is.
  child.stderr.on("data", (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-500);
  });

  const watchdog = setInterval(() => {
    if (Date.now() - lastFrameAt > timeoutMs()) child.kill("SIGKILL");
  }, 1000);

  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (error) => reject(new StreamError(`could not start ffmpeg: ${error.message}`)));
    child.on("close", (code, signal) => {
      clearInterval(watchdog);
      if (stopped) return resolve();
      const stalled = Date.now() - lastFrameAt > timeoutMs();
      const detail = stderrTail
        .replace(/rtsps?:\/\/[^\s]*/g, "rtsp://…")
        .trim()
        .split("\n")
        .at(-1);
      reject(
        new StreamError(
          stalled
            ? `no frame for ${timeoutMs() / 1000} s; the stream ${started ? "stalled" : "never started"}`
            : `the stream ended (${signal ?? `exit ${code}`})${detail ? `: ${detail}` : ""}`,
        ),
      );
    });
  });
  return {
    done,
    stop: () => {
      stopped = true;
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 2000).unref();
    },
  };
}
