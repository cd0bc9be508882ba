/**
 * What went wrong, in the domain's words. The API maps each kind to its protocol's code in one
 * place (packages/api/src/trpc.ts); the domain never speaks HTTP or tRPC.
 */
export type DomainErrorKind =
  | "notFound"
  | "forbidden"
  | "conflict"
  | "invalid"
  | "refused"
  | "precondition"
  /** Rate-limited: the caller tried too often and must wait. */
  | "tooMany";

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    /** The input field it is about, which forms show it beside. */
    readonly field?: string,
    /** With `field`: a message key the web app translates ("validation" namespace). */
    readonly reason?: string,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** Throws "<what> not found." (another tenant's row does not exist for this caller either). */
export function notFound(what: string, message = `${what} not found.`): never {
  throw new DomainError("notFound", message);
}

/** An error about one input field, which forms show beside that field. */
export function fieldError(kind: DomainErrorKind, field: string, reason: string, message: string): DomainError {
  return new DomainError(kind, message, field, reason);
}

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
