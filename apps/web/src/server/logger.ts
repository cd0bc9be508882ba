import { env } from "@consentry/env";
import pino from "pino";

export const logger = pino({
  level: env.LOG_LEVEL,
  base: { service: "web" },
  redact: { paths: ["*.password", "*.token", "*.rtspUrl", "*.contact"], censor: "[redacted]" },
});
