import { spawn } from "node:child_process";

export type ProbeResult = {
  code: number | null;
  stderr: string;
  video?: { codec_name: string; width: number; height: number };
};

/**
 * Runs ffprobe on an RTSP URL, by default over UDP (the simulator has no TCP interleaving), with
 * ffprobe's own socket timeout (microseconds) and a kill timer as a backstop.
 */
export function probe(
  url: string,
  { timeoutMs = 4_000, transport = "udp" }: { timeoutMs?: number; transport?: "udp" | "tcp" | "auto" } = {},
): Promise<ProbeResult> {
  const args = [
    ...["-v", "error", ...(transport === "auto" ? [] : ["-rtsp_transport", transport])],
    ...["-timeout", String(timeoutMs * 1000)],
    ...["-show_streams", "-of", "json", url],
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("ffprobe", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs * 2 + 2_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(killer);
      let video: ProbeResult["video"];
      try {
        const parsed = JSON.parse(stdout || "{}") as { streams?: (ProbeResult["video"] & { codec_type: string })[] };
        video = parsed.streams?.find((stream) => stream.codec_type === "video");
      } catch {
        video = undefined;
      }
      resolve({ code, stderr, video });
    });
  });
}
