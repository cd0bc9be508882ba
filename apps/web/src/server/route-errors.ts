import "server-only";
import { hideInternal, InternalFailure, toTRPCError } from "@consentry/api";
import { DomainError } from "@consentry/core";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { logger } from "./logger";

/**
 * Route handlers that are not tRPC (uploads, downloads) call the same procedures in-process;
 * this turns a procedure's error into the HTTP answer, with the field error forms show. Anything
 * internal (a database error above all) answers 500 with a generic message and the request id.
 */
export function errorResponse(thrown: unknown, requestId: string = crypto.randomUUID()): Response {
  const error = hideInternal(
    toTRPCError(thrown) ?? new TRPCError({ code: "INTERNAL_SERVER_ERROR", cause: thrown }),
    requestId,
  );
  if (error.cause instanceof InternalFailure) {
    const failure = error.cause;
    logger.error({ requestId: failure.requestId, procedure: failure.procedure, err: failure }, "route handler failed");
    return Response.json(
      { error: error.message, code: error.code, requestId: failure.requestId, field: null, reason: null },
      { status: 500 },
    );
  }
  const cause = error.cause instanceof DomainError ? error.cause : undefined;
  return Response.json(
    { error: error.message, code: error.code, field: cause?.field ?? null, reason: cause?.reason ?? null },
    { status: getHTTPStatusCodeFromError(error) },
  );
}
