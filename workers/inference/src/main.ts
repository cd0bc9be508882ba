import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { createFileStore } from "@consentry/storage";
import { createFaceAnalyzerThread } from "@consentry/vision";
import { pino } from "pino";
import { startInferenceWorker } from "./worker";

// `npm run worker`: one inference worker. Start as many as you like, on any host that reaches
// the same PostgreSQL, Redis and storage folder.

const SHUTDOWN_TIMEOUT_MS = 15_000;
const logger = pino({
  level: env.LOG_LEVEL,
  base: { service: "inference-worker", pid: process.pid },
  redact: { paths: ["password", "*.password", "*.connection.password"], censor: "[redacted]" },
});

const database = createDatabase(env.DATABASE_URL, { applicationName: "consentry-inference-worker", max: 4 });
let analyzer: Awaited<ReturnType<typeof createFaceAnalyzerThread>>;
try {
  analyzer = await createFaceAnalyzerThread({ threads: env.VISION_THREADS });
} catch (error) {
  // A missing model or one with the wrong hash: say which, and stop.
  logger.fatal({ err: error instanceof Error ? error.message : String(error) }, "could not load the face models");
  await database.close();
  process.exit(1);
}
const worker = startInferenceWorker({
  db: database.db,
  redisUrl: env.REDIS_URL,
  prefix: env.QUEUE_PREFIX,
  storage: createFileStore(env.CONSENTRY_STORAGE_DIR),
  analyzer,
  logger,
  maxCameras: env.INFERENCE_MAX_CAMERAS,
});

let shuttingDown = false;
async function shutdown(reason: string, exitCode: number) {
  if (shuttingDown) process.exit(1);
  shuttingDown = true;
  logger.info({ reason }, "inference worker shutting down");
  setTimeout(() => process.exit(1), SHUTDOWN_TIMEOUT_MS).unref();
  await worker.close().catch((err: unknown) => logger.warn({ err }, "error while closing the worker"));
  await analyzer.close().catch(() => {});
  await database.close().catch(() => {});
  process.exit(exitCode);
}
for (const signal of ["SIGTERM", "SIGINT"] as const) process.on(signal, () => void shutdown(signal, 0));

try {
  await worker.ready;
  logger.info(
    { workerId: worker.workerId, maxCameras: env.INFERENCE_MAX_CAMERAS, model: analyzer.modelId },
    "inference worker ready",
  );
} catch (error) {
  logger.fatal({ err: error instanceof Error ? error.message : String(error) }, "inference worker could not start");
  await shutdown("startup failure", 1);
}
