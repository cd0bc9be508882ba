import { createDatabase } from "@consentry/db";
import { env } from "@consentry/env";
import { runService } from "@consentry/service";
import { createFileStore } from "@consentry/storage";
import { createFaceAnalyzerPool } from "@consentry/vision";
import { pino } from "pino";
import { startInferenceWorker } from "./worker";

// `npm run worker`: one inference worker. Start as many as you like, on any host that reaches
// the same PostgreSQL, Redis and storage folder.

const logger = pino(
  {
    level: env.LOG_LEVEL,
    base: { service: "inference-worker", pid: process.pid },
    redact: { paths: ["password", "*.password", "*.connection.password"], censor: "[redacted]" },
  },
  pino.destination({ sync: true }), // runService exits with process.exit: no line may still be queued
);

// Closes the worker (its queues and heartbeat), then the analyzer thread, then the database pool.
await runService({
  name: "inference worker",
  logger,
  shutdownTimeoutMs: 15_000,
  start: async ({ onClose }) => {
    const database = createDatabase(env.DATABASE_URL, { applicationName: "consentry-inference-worker", max: 4 });
    onClose("database pool", () => database.close());
    const analyzer = await createFaceAnalyzerPool(env.INFERENCE_ANALYZER_THREADS, {
      threads: env.VISION_THREADS,
      modelsDir: env.CONSENTRY_MODELS_DIR,
    }).catch((error: unknown) => {
      // A missing model or one with the wrong hash: say which, and stop.
      throw new Error(`could not load the face models: ${error instanceof Error ? error.message : String(error)}`);
    });
    onClose("analyzer thread", () => analyzer.close());
    const worker = startInferenceWorker({
      db: database.db,
      redisUrl: env.REDIS_URL,
      prefix: env.QUEUE_PREFIX,
      storage: createFileStore(env.CONSENTRY_STORAGE_DIR),
      analyzer,
      logger,
      maxCameras: env.INFERENCE_MAX_CAMERAS,
      settings: { trackGapMs: env.INFERENCE_TRACK_GAP_SECONDS * 1000 },
    });
    onClose("worker", () => worker.close());
    return {
      ready: worker.ready,
      describe: {
        workerId: worker.workerId,
        maxCameras: env.INFERENCE_MAX_CAMERAS,
        analyzerThreads: env.INFERENCE_ANALYZER_THREADS,
        model: analyzer.modelId,
      },
    };
  },
});
