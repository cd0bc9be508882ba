import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { createEnv } from "@t3-oss/env-core";
import { z } from "zod";
import { DEVELOPMENT_SECRETS, type DevelopmentSecret, isDevelopmentValue } from "./development";

// Validated environment: the only place in the code base that reads process.env.
//
// Fails closed. Only APP_ENV=development and APP_ENV=test fill in defaults, among them public
// development secrets (./development.ts), so a fresh clone runs without setup. Anywhere else
// (APP_ENV=production, or APP_ENV unset, which means production) BETTER_AUTH_SECRET,
// CONSENTRY_ENCRYPTION_KEYS, CONSENTRY_AUDIT_KEYS, CONSENTRY_PORTAL_SECRET, CONSENTRY_LIVE_VIEW_SECRET,
// CONSENTRY_METRICS_TOKEN and CONSENTRY_STORAGE_DIR must be set, and no secret may hold a
// public development value; an unknown APP_ENV is refused as well. A process that imports
// this module with a bad environment prints one line to stderr naming each offending
// variable (never a value) and exits with status 1, before it serves or works on anything.
// Workers and gateway import it as they start; the web app in src/instrumentation.ts.

const appEnvValue = process.env.APP_ENV || undefined; // an empty value counts as unset
/**
 * `next build` also loads this module, but it never serves: it needs no secrets, and
 * `next start` checks the real environment again. So the build may use the defaults.
 */
const isNextBuild = process.env.NEXT_PHASE === "phase-production-build";
const usesDefaults = appEnvValue === "development" || appEnvValue === "test" || isNextBuild;

const PUBLIC_VALUE = "holds the public development value";

/** In development/test defaults to its public value; elsewhere required and never that value. */
function secret(name: DevelopmentSecret, schema: z.ZodString) {
  return usesDefaults
    ? schema.default(DEVELOPMENT_SECRETS[name])
    : schema.refine((value) => !isDevelopmentValue(name, value), PUBLIC_VALUE);
}

/** Prints why the environment is refused, naming variables but never their values, and exits. */
function refuse(issues: readonly { message: string; path?: readonly unknown[] }[]): never {
  const missing = new Set<string>();
  const publicValues = new Set<string>();
  const invalid = new Map<string, string>();
  for (const issue of issues) {
    const name = String(issue.path?.[0]);
    if (process.env[name] === undefined) missing.add(name);
    else if (issue.message === PUBLIC_VALUE) publicValues.add(name);
    else if (!invalid.has(name)) invalid.set(name, `${name} is invalid (${issue.message})`);
  }
  const problems = [
    ...invalid.values(), // first, so that an unknown APP_ENV leads
    ...(missing.size ? [`set ${[...missing].join(", ")} (missing)`] : []),
    ...(publicValues.size === 1 ? [`${[...publicValues][0]} ${PUBLIC_VALUE}`] : []),
    ...(publicValues.size > 1 ? [`${[...publicValues].join(", ")} hold public development values`] : []),
  ];
  const appEnv = appEnvValue ? `APP_ENV=${appEnvValue}` : "APP_ENV unset means production";
  const where = usesDefaults ? "refusing to start" : `refusing to start outside development/test (${appEnv})`;
  console.error(`${where}: ${problems.join("; ")}`);
  process.exit(1);
}

/** Validated environment. The only place in the code base that reads process.env. */
export const env = createEnv({
  server: {
    APP_ENV: z
      .enum(["development", "test", "production"], { error: "must be development, test or production" })
      .default("production"),
    /** The application's connection (web app, workers, gateway). */
    DATABASE_URL: z.url().default("postgres://postgres@127.0.0.1:5432/consentry"),
    /**
     * The owner's connection, used only to migrate. Defaults to DATABASE_URL; in production the
     * app's role must not own the tables (so it cannot alter the audit log's trigger).
     */
    MIGRATION_DATABASE_URL: z.url().optional(),
    REDIS_URL: z.url().default("redis://127.0.0.1:6379"),
    BETTER_AUTH_SECRET: secret("BETTER_AUTH_SECRET", z.string().min(32)),
    BETTER_AUTH_URL: z.url().default("http://localhost:3000"),
    /** Comma-separated `keyId:base64key` pairs (32-byte AES keys); older ids stay for decryption. */
    CONSENTRY_ENCRYPTION_KEYS: secret("CONSENTRY_ENCRYPTION_KEYS", z.string().min(1)),
    /** Key id that new ciphertexts are written with; defaults to the last key listed. */
    CONSENTRY_ACTIVE_KEY_ID: z.string().optional(),
    /**
     * Keys the audit chain's HMACs and signs its daily anchors: comma-separated `keyId:base64key`
     * pairs (at least 32 bytes each), kept outside the database; the last listed signs new entries.
     */
    CONSENTRY_AUDIT_KEYS: secret("CONSENTRY_AUDIT_KEYS", z.string().min(1)),
    /**
     * Reverse proxies in front of the web app, as comma-separated addresses or CIDRs. The client
     * address is the socket's, or the right-most X-Forwarded-For hop not added by one of these.
     */
    TRUSTED_PROXIES: z.string().default(""),
    /** Signs live-view tickets that the gateway checks; shared by web and gateway. */
    CONSENTRY_LIVE_VIEW_SECRET: secret("CONSENTRY_LIVE_VIEW_SECRET", z.string().min(32)),
    /** Public URL of the live-view gateway (WebSocket), as the browser reaches it. */
    CONSENTRY_GATEWAY_URL: z.url().default("ws://localhost:3001"),
    GATEWAY_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
    /** How often the gateway re-checks every open live viewer's membership, role and camera. */
    LIVE_VIEW_REAUTHORIZE_MS: z.coerce.number().int().min(1000).default(120_000),
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
    CONSENTRY_STORAGE_DIR: usesDefaults
      ? z
          .string()
          .min(1)
          .default(join(tmpdir(), "consentry", "storage"))
      : z.string().min(1),
    /** Cameras one inference worker analyses at once. */
    INFERENCE_MAX_CAMERAS: z.coerce.number().int().min(1).max(64).default(4),
    /** Analyzer threads of an inference worker, each with its own model sessions; default one per core. */
    INFERENCE_ANALYZER_THREADS: z.coerce.number().int().min(1).max(32).default(availableParallelism()),
    /** Sightings of one person at one camera less than this apart are one visit (one recognition event). */
    INFERENCE_TRACK_GAP_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    /** A camera down this long is announced as offline (notifications; one per outage). */
    NOTIFY_CAMERA_OFFLINE_MINUTES: z.coerce.number().int().min(1).max(1440).default(5),
    /** Threads each ONNX model session may use inside an inference worker. */
    VISION_THREADS: z.coerce.number().int().min(1).max(32).default(1),
    /** The face models' folder (default packages/vision/models, filled by `npm run models`); each file's hash is checked. */
    CONSENTRY_MODELS_DIR: z.string().min(1).optional(),
    /**
     * /api/metrics requires `Authorization: Bearer <token>` when set; required outside
     * development/test.
     */
    CONSENTRY_METRICS_TOKEN: usesDefaults ? z.string().min(16).optional() : z.string().min(16),
    /** SMTP server for the portal's one-time codes (smtp://user:pass@host:port or smtps://). */
    SMTP_URL: z.url().default("smtp://127.0.0.1:2525"),
    SMTP_FROM: z.string().min(3).default("Consentry <no-reply@consentry.local>"),
    /** Keys the hashes of one-time codes and contacts, and signs requesters' status links. */
    CONSENTRY_PORTAL_SECRET: secret("CONSENTRY_PORTAL_SECRET", z.string().min(32)),
    /** Development only: where the demo's in-process SMTP server keeps mail, shown at /dev/mailbox. */
    CONSENTRY_DEV_MAILBOX_DIR: z.string().optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    CONSENTRY_VERSION: z.string().default("0.1.0"),
  },
  runtimeEnv: process.env,
  emptyStringAsUndefined: true,
  onValidationError: refuse,
});
