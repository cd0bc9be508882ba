import { spawn } from "node:child_process";

/** `blocked`: the network policy refused the address, so nothing was contacted. */
export type ProbeFailure = "auth_failed" | "not_found" | "refused" | "timeout" | "error" | "blocked";
export type ProbeResult =
  | { ok: true; latencyMs: number; codec: string; width: number; height: number; fps: number | null }
  | { ok: false; latencyMs: number; failure: ProbeFailure; detail: string };

/** Frame rate from ffprobe's "30000/1001" form. */
function parseRate(rate: string | undefined): number | null {
  const [num, den] = (rate ?? "").split("/").map(Number);
  if (!num || !den) return null;
  return Math.round((num / den) * 100) / 100;
}

/** What went wrong, from ffprobe's stderr; the URL is never part of the returned detail. */
export function classifyProbeError(stderr: string): { failure: ProbeFailure; detail: string } {
  // Whole phrases: stderr also holds the URL, whose port may contain "401" or "404".
  const text = stderr.toLowerCase();
  if (text.includes("401 unauthorized")) return { failure: "auth_failed", detail: "authentication refused" };
  if (text.includes("404 not found")) return { failure: "not_found", detail: "stream path not found" };
  if (text.includes("connection refused")) return { failure: "refused", detail: "connection refused" };
  if (text.includes("timed out")) return { failure: "timeout", detail: "no answer in time" };
  return { failure: "error", detail: "probe failed" };
}

/**
 * Asks ffprobe for the camera's first video stream. Spawned with an argument array (no shell),
 * killed after `timeoutMs`; credentials in the URL never reach a log or the result.
 */
export function probeRtsp(url: string, timeoutMs = 8000): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  return new Promise((resolve) => {
    const child = spawn(
      "ffprobe",
      [
        "-v",
        "error",
        // TCP interleaving when the camera offers it (fewer lost packets), else UDP.
        "-rtsp_flags",
        "prefer_tcp",
        "-timeout",
        String(Math.max(1, Math.floor(timeoutMs * 0.8)) * 1000),
        "-select_streams",
        "v:0",
        "-show_entries",
        "stream=codec_name,width,height,avg_frame_rate,r_frame_rate",
        "-of",
        "json",
        url,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({
        ok: false,
        latencyMs: elapsed(),
        failure: "error",
        detail: `ffprobe could not run (${error.message})`,
      });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut)
        return resolve({ ok: false, latencyMs: elapsed(), failure: "timeout", detail: "no answer in time" });
      const stream =
        code === 0 ? (JSON.parse(stdout || "{}").streams?.[0] as Record<string, string> | undefined) : undefined;
      if (!stream)
        return resolve({ ok: false, latencyMs: elapsed(), ...classifyProbeError(stderr || "no video stream") });
      resolve({
        ok: true,
        latencyMs: elapsed(),
        codec: stream.codec_name ?? "unknown",
        width: Number(stream.width) || 0,
        height: Number(stream.height) || 0,
        fps: parseRate(stream.avg_frame_rate) ?? parseRate(stream.r_frame_rate),
      });
    });
  });
}
