import { TRPCError } from "@trpc/server";

type ErrorCode = ConstructorParameters<typeof TRPCError>[0]["code"];

/** The PostgreSQL error behind a drizzle error, if any. */
function postgresError(error: unknown): { code?: string; constraint_name?: string } | undefined {
  for (let e = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ("code" in e && typeof (e as { code: unknown }).code === "string" && "severity" in e) {
      return e as { code?: string; constraint_name?: string };
    }
  }
  return undefined;
}

export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pg = postgresError(error);
  return pg?.code === "23505" && pg.constraint_name === constraint;
}

/** An error about one input field; forms show it beside that field. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    /** A message key the web app translates (apps/web/messages, "validation" namespace). */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export function fieldError(code: ErrorCode, field: string, reason: string, message: string): TRPCError {
  return new TRPCError({ code, message, cause: new FieldError(field, reason, message) });
}
