import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";

// Development keys are public and only used when APP_ENV is not "production", so a fresh
// clone runs without setup; production refuses to start without real secrets.
const DEV_AUTH_SECRET = "consentry-development-secret-not-for-production-use";
const DEV_ENCRYPTION_KEYS = "dev1:ZGV2LWtleS0zMi1ieXRlcy1ub3QtZm9yLXByb2QhISE=";

const appEnv = z.enum(["development", "test", "production"]).default("development");
const isProduction = appEnv.safeParse(process.env.APP_ENV).data === "production";

/** Validated environment. The only place in the code base that reads process.env. */
export const env = createEnv({
  server: {
    APP_ENV: appEnv,
    DATABASE_URL: z.url().default("postgres://postgres@127.0.0.1:5432/consentry"),
    REDIS_URL: z.url().default("redis://127.0.0.1:6379"),
    BETTER_AUTH_SECRET: isProduction ? z.string().min(32) : z.string().min(32).default(DEV_AUTH_SECRET),
    BETTER_AUTH_URL: z.url().default("http://localhost:3000"),
    /** Comma-separated `keyId:base64key` pairs (32-byte AES keys); older ids stay for decryption. */
    CONSENTRY_ENCRYPTION_KEYS: isProduction ? z.string().min(1) : z.string().min(1).default(DEV_ENCRYPTION_KEYS),
    /** Key id that new ciphertexts are written with; defaults to the last key listed. */
    CONSENTRY_ACTIVE_KEY_ID: z.string().optional(),
    /** Signs live-view tickets that the gateway checks; shared by web and gateway. */
    CONSENTRY_LIVE_VIEW_SECRET: isProduction
      ? z.string().min(32)
      : z.string().min(32).default("consentry-live-view-development-secret-000"),
    /** Public URL of the live-view gateway (WebSocket), as the browser reaches it. */
    CONSENTRY_GATEWAY_URL: z.url().default("ws://localhost:3001"),
    GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
    /** The camera simulator's RTSP port (`npm run cameras:sim`, demo). */
    CAMERA_SIM_PORT: z.coerce.number().int().min(1).max(65535).default(8554),
    /** BullMQ key prefix; separate installations (or test runs) sharing a Redis use different ones. */
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-z0-9:_-]{1,40}$/)
      .default("consentry"),
    /** How often every camera is probed (ffprobe). */
    CAMERA_PROBE_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
    /**
     * Where uploaded evidence, enrolment photos and certificates are kept (a local or mounted
     * folder shared by the web app and workers). The demo uses `.data/storage` in the checkout.
     */
    CONSENTRY_STORAGE_DIR: isProduction
      ? z.string().min(1)
      : z
          .string()
          .min(1)
          .default(join(tmpdir(), "consentry", "storage")),
    /** Cameras one inference worker analyses at once. */
    INFERENCE_MAX_CAMERAS: z.coerce.number().int().min(1).max(64).default(4),
    /** Threads each ONNX model session may use inside an inference worker. */
    VISION_THREADS: z.coerce.number().int().min(1).max(32).default(1),
    /** When set, /api/metrics requires `Authorization: Bearer <token>`. */
    CONSENTRY_METRICS_TOKEN: z.string().min(16).optional(),
    /** SMTP server for the portal's one-time codes (smtp://user:pass@host:port or smtps://). */
    SMTP_URL: z.url().default("smtp://127.0.0.1:2525"),
    SMTP_FROM: z.string().min(3).default("Consentry <no-reply@consentry.local>"),
    /** Keys the hashes of one-time codes and contacts, and signs requesters' status links. */
    CONSENTRY_PORTAL_SECRET: isProduction
      ? z.string().min(32)
      : z.string().min(32).default("consentry-portal-development-secret-0000"),
    /** Development only: where the demo's in-process SMTP server keeps mail, shown at /dev/mailbox. */
    CONSENTRY_DEV_MAILBOX_DIR: z.string().optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    CONSENTRY_VERSION: z.string().default("0.1.0"),
  },
  runtimeEnv: process.env,
  emptyStringAsUndefined: true,
});
