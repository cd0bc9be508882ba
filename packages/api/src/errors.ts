import { TRPCError } from "@trpc/server";
import { DrizzleQueryError } from "drizzle-orm/errors";

/**
 * What may be known outside the process about a database failure: PostgreSQL's error code and
 * constraint. Never the query, its parameters or PostgreSQL's message and detail, which quote
 * values (actor emails, hash-chain values, ciphertexts).
 */
export type DatabaseFailure = { code: string | null; constraint: string | null };

/** The database failure behind an error (drizzle's DrizzleQueryError, postgres.js's PostgresError), if any. */
export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  let found = false;
  const failure: DatabaseFailure = { code: null, constraint: null };
  const seen = new Set<unknown>();
  for (let e = error; e && typeof e === "object" && !seen.has(e); e = (e as { cause?: unknown }).cause) {
    seen.add(e);
    if (e instanceof DrizzleQueryError) found = true;
    const { code, severity, constraint_name } = e as { code?: unknown; severity?: unknown; constraint_name?: unknown };
    if (typeof severity === "string" && typeof code === "string") {
      found = true;
      failure.code = code;
      failure.constraint = typeof constraint_name === "string" ? constraint_name : null;
    }
  }
  return found ? failure : undefined;
}

/** The stack's frames only: its first lines repeat the message, and so a failed query's SQL and parameters. */
function frames(error: unknown): string {
  const stack = error instanceof Error ? (error.stack ?? "") : "";
  return stack
    .split("\n")
    .filter((line) => line.trimStart().startsWith("at "))
    .join("\n");
}

/** What a client is told about a failure that is not its fault: nothing but where to quote it from. */
export const internalMessage = (requestId?: string) =>
  requestId ? `Something went wrong on our side (request ${requestId}).` : "Something went wrong on our side.";

/**
 * Stands in for an unexpected error once it leaves a procedure, as the cause of the generic
 * INTERNAL_SERVER_ERROR: what is logged of it is the procedure, the request id, the PostgreSQL
 * code and constraint and the stack frames, never the query or its parameters.
 */
export class InternalFailure extends Error {
  override name = "InternalFailure";
  readonly database: DatabaseFailure | null;

  constructor(
    original: unknown,
    readonly requestId: string | null,
    readonly procedure: string | null,
  ) {
    const database = databaseFailure(original) ?? null;
    super(
      database
        ? `database error ${database.code ?? "(no code)"}${database.constraint ? ` on ${database.constraint}` : ""}`
        : original instanceof Error
          ? `${original.name}: ${original.message}`
          : String(original),
    );
    this.database = database;
    this.stack = `${this.name}: ${this.message}\n${frames(original)}`;
  }
}

/**
 * The error a client may see: domain and deliberate tRPC errors as they are; anything internal,
 * and anything a database error caused, as INTERNAL_SERVER_ERROR with a generic message and the
 * request id.
 */
export function hideInternal(error: TRPCError, requestId?: string, procedure?: string): TRPCError {
  if (error.cause instanceof InternalFailure) return error;
  if (error.code !== "INTERNAL_SERVER_ERROR" && !databaseFailure(error)) return error;
  return new TRPCError({
    code: "INTERNAL_SERVER_ERROR",
    message: internalMessage(requestId),
    cause: new InternalFailure(error.cause ?? error, requestId ?? null, procedure ?? null),
  });
}
