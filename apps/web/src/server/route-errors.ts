import "server-only";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { logger } from "./logger";

/**
 * Route handlers that are not tRPC (uploads, downloads) call the same procedures in-process;
 * this turns a procedure's error into the HTTP answer, with the field error forms show.
 */
export function errorResponse(error: unknown): Response {
  if (error instanceof TRPCError) {
    const cause = error.cause as { field?: string; reason?: string } | undefined;
    return Response.json(
      { error: error.message, code: error.code, field: cause?.field ?? null, reason: cause?.reason ?? null },
      { status: getHTTPStatusCodeFromError(error) },
    );
  }
  logger.error({ err: error }, "route handler failed");
  return Response.json({ error: "Something went wrong.", code: "INTERNAL_SERVER_ERROR" }, { status: 500 });
}
