import "server-only";
import { toTRPCError } from "@consentry/api";
import { DomainError } from "@consentry/core";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { logger } from "./logger";

/**
 * Route handlers that are not tRPC (uploads, downloads) call the same procedures in-process;
 * this turns a procedure's error into the HTTP answer, with the field error forms show.
 */
export function errorResponse(thrown: unknown): Response {
  const error = toTRPCError(thrown);
  if (error) {
    const cause = error.cause instanceof DomainError ? error.cause : undefined;
    return Response.json(
      { error: error.message, code: error.code, field: cause?.field ?? null, reason: cause?.reason ?? null },
      { status: getHTTPStatusCodeFromError(error) },
    );
  }
  logger.error({ err: thrown }, "route handler failed");
  return Response.json({ error: "Something went wrong.", code: "INTERNAL_SERVER_ERROR" }, { status: 500 });
}
