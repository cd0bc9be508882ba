import { InternalFailure } from "@consentry/api";
import { env } from "@consentry/env";
import pino from "pino";

/**
 * Errors as logged. A database error goes in as an InternalFailure: its PostgreSQL code and
 * constraint and the stack frames, never drizzle's "Failed query: <SQL> params: <values>" or
 * PostgreSQL's message and detail, which quote values (emails, hash-chain values, ciphertexts).
 */
export function serializeError(error: unknown) {
  if (!(error instanceof Error)) return error;
  const failure = error instanceof InternalFailure ? error : new InternalFailure(error, null, null);
  return pino.stdSerializers.err(failure.database ? failure : error);
}

/** The web app's logger; tests pass a destination to read what it writes. */
export function createLogger(destination?: pino.DestinationStream) {
  return pino(
    {
      level: env.LOG_LEVEL,
      base: { service: "web" },
      serializers: { err: serializeError },
      redact: { paths: ["*.password", "*.token", "*.rtspUrl", "*.contact"], censor: "[redacted]" },
    },
    destination,
  );
}

export const logger = createLogger();
