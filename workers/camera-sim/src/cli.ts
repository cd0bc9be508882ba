import { type ParseArgsConfig, parseArgs } from "node:util";
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

let sim: Awaited<ReturnType<typeof startCameraSimulator>>;
try {
  sim = await startCameraSimulator({ count, port, credentials, log });
} catch (error) {
  console.error(`[camera-sim] could not start: ${(error as Error).message}`);
  process.exit(1);
}

for (const camera of sim.cameras) {
  console.log(`${camera.url}\t${camera.source.slice(camera.source.lastIndexOf("/") + 1)}`);
}
const stopFlaky = flaky.map((spec) => {
  log(`cam${spec.index} is flaky: up ${spec.secondsUp} s, down ${spec.secondsDown} s, repeatedly`);
  return runFlakyCamera(sim, spec, log);
});
log("running; Ctrl-C to stop");

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) {
    log(`second ${signal}; exiting now`);
    process.exit(1);
  }
  shuttingDown = true;
  log(`${signal}: stopping`);
  for (const stop of stopFlaky) stop();
  const hardStop = setTimeout(() => {
    log("stop timed out; exiting");
    process.exit(1);
  }, 10_000);
  hardStop.unref();
  await sim.stop();
  process.exit(0);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => void shutdown(signal));
