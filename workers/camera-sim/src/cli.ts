import { type ParseArgsConfig, parseArgs } from "node:util";
import { runService, type ServiceLogger } from "@consentry/service";
import { parseFlakySpec, runFlakyCamera, startCameraSimulator } from "./simulator";

// npm run sim -w @consentry/camera-sim -- --count 6 --port 8554 --flaky 2:10:20 --flaky 4:5:30
const usage =
  "usage: sim [--count N] [--port P] [--flaky <index>:<secondsDown>:<secondsUp>]... [--auth <user>:<password>]";

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

const optionSpec = {
  count: { type: "string", default: "4" },
  port: { type: "string" },
  flaky: { type: "string", multiple: true, default: [] as string[] },
  auth: { type: "string" },
  help: { type: "boolean", short: "h" },
} satisfies ParseArgsConfig["options"];

function readArgs() {
  try {
    return parseArgs({ options: optionSpec, strict: true, allowPositionals: false });
  } catch (error) {
    fail((error as Error).message);
  }
}

function parseCli() {
  const parsed = readArgs();
  const { values } = parsed;
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) fail(`--count must be a positive integer, got "${values.count}"`);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    fail(`--port must be 0..65535, got "${values.port}"`);
  }
  let flaky: ReturnType<typeof parseFlakySpec>[];
  try {
    flaky = values.flaky.map(parseFlakySpec);
  } catch (error) {
    fail((error as Error).message);
  }
  for (const spec of flaky)
    if (spec.index > count) fail(`--flaky camera ${spec.index} does not exist (--count ${count})`);
  let credentials: { username: string; password: string } | undefined;
  if (values.auth !== undefined) {
    const separator = values.auth.indexOf(":");
    if (separator < 1) fail(`--auth expects <user>:<password>`);
    credentials = { username: values.auth.slice(0, separator), password: values.auth.slice(separator + 1) };
  }
  return { count, port, flaky, credentials };
}

const { count, port, flaky, credentials } = parseCli();
const log = (msg: string) => console.log(`[camera-sim] ${msg}`);

/** runService's lines as plain `[camera-sim] …` text: info on stdout, the rest on stderr. */
function line(fields: Record<string, unknown>, message: string) {
  const { err, ...rest } = fields;
  const reason = err instanceof Error ? `: ${err.message}` : "";
  const details = Object.entries(rest).map(([key, value]) => `${key}=${String(value)}`);
  return `[camera-sim] ${message}${reason}${details.length > 0 ? ` (${details.join(", ")})` : ""}`;
}
const textLogger: ServiceLogger = {
  info: (fields, message) => console.log(line(fields, message)),
  warn: (fields, message) => console.error(line(fields, message)),
  error: (fields, message) => console.error(line(fields, message)),
  fatal: (fields, message) => console.error(line(fields, message)),
};

// Stops the flaky cameras' schedules, then the simulator (its ffmpeg publishers and server).
await runService({
  name: "simulator",
  logger: textLogger,
  shutdownTimeoutMs: 10_000,
  // scripts/demo.ts waits for "[camera-sim] running".
  readyMessage: "running; Ctrl-C to stop",
  start: async ({ onClose }) => {
    const sim = await startCameraSimulator({ count, port, credentials, log });
    onClose("simulator", () => sim.stop());
    // The URL table, on stdout: one camera a line, its URL and the clip it plays.
    for (const camera of sim.cameras) {
      console.log(`${camera.url}\t${camera.source.slice(camera.source.lastIndexOf("/") + 1)}`);
    }
    const stopFlaky = flaky.map((spec) => {
      log(`cam${spec.index} is flaky: up ${spec.secondsUp} s, down ${spec.secondsDown} s, repeatedly`);
      return runFlakyCamera(sim, spec, log);
    });
    onClose("flaky schedules", async () => {
      for (const stop of stopFlaky) stop();
    });
    return {};
  },
});
