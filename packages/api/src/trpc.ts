import { type OrgRole, type Principal, roleAtLeast } from "@consentry/auth";
import { DomainError, type DomainErrorKind } from "@consentry/core/errors";
import type { InvitationServices } from "@consentry/core/members";
import type { PortalServices } from "@consentry/core/portal";
import { type AuditInput, type Database, type Executor, writeAudit } from "@consentry/db";
import { env } from "@consentry/env";
import { createMailer } from "@consentry/mail";
import type { JobProducer, LeaseReader } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError, z } from "zod";
import { hideInternal } from "./errors";

export type Context = {
  db: Database;
  principal: Principal | null;
  /** Background jobs the API starts (BullMQ). */
  jobs: JobProducer;
  /** Uploaded evidence and photos. */
  storage: FileStore;
  /** What the inference workers do with each camera (analysed, waiting for a worker, retrying). */
  leases: LeaseReader;
  /** Mail, rate limits and the caller's address, for the public portal. */
  portal?: PortalServices;
  /** Invitation mail and the public address its links point to; defaults to SMTP_URL and BETTER_AUTH_URL. */
  mail?: InvitationServices;
  requestId: string;
};

let defaultMail: InvitationServices | undefined;
/** The context's invitation mail, or the installation's SMTP server (one transport per process). */
export function invitationServices(ctx: { mail?: InvitationServices }): InvitationServices {
  if (ctx.mail) return ctx.mail;
  defaultMail ??= { mailer: createMailer(env.SMTP_URL, env.SMTP_FROM), baseUrl: env.BETTER_AUTH_URL };
  return defaultMail;
}

/** A lease reader that never knows, as if Redis were down: pages show no analysis state. */
export const unknownLeases: LeaseReader = { read: async () => null };

export function createContext(input: {
  db: Database;
  principal: Principal | null;
  jobs: JobProducer;
  storage: FileStore;
  /** `unknownLeases` where nothing reads them (scripts, benchmarks, most tests). */
  leases: LeaseReader;
  portal?: PortalServices;
  mail?: InvitationServices;
  requestId?: string;
}): Context {
  return { ...input, requestId: input.requestId ?? crypto.randomUUID() };
}

const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter: ({ shape, error, ctx }) => {
    // Procedures already hide internal errors (below); this also covers what fails outside one,
    // such as creating the context. The stack is never sent, in development either.
    const { stack: _stack, ...data } = shape.data;
    return {
      ...shape,
      message: hideInternal(error, ctx?.requestId).message,
      data: {
        ...data,
        requestId: ctx?.requestId ?? null,
        // Field-level issues for forms; the client turns codes into translated messages.
        zodIssues: error.cause instanceof ZodError ? error.cause.issues : null,
        fieldError:
          error.cause instanceof DomainError && error.cause.field
            ? { field: error.cause.field, reason: error.cause.reason }
            : null,
      },
    };
  },
});

export const createCallerFactory = t.createCallerFactory;
export const router = t.router;

/** How each kind of domain error (packages/core) answers over tRPC, and so over HTTP. */
const TRPC_CODES: Record<DomainErrorKind, TRPCError["code"]> = {
  notFound: "NOT_FOUND",
  forbidden: "FORBIDDEN",
  conflict: "CONFLICT",
  invalid: "BAD_REQUEST",
  refused: "UNPROCESSABLE_CONTENT",
  precondition: "PRECONDITION_FAILED",
  tooMany: "TOO_MANY_REQUESTS",
};

/** The tRPC error for any error a procedure throws: domain errors get their code, the rest stays as is. */
export function toTRPCError(error: unknown): TRPCError | undefined {
  if (error instanceof TRPCError) {
    return error.cause instanceof DomainError ? toTRPCError(error.cause) : error;
  }
  if (error instanceof DomainError) {
    return new TRPCError({ code: TRPC_CODES[error.kind], message: error.message, cause: error });
  }
  return undefined;
}

/**
 * Every procedure starts here: the one place where domain errors become tRPC codes, and where
 * anything else that failed (a database error above all) becomes a generic INTERNAL_SERVER_ERROR
 * naming the request id, for in-process callers (route handlers, server components) as for HTTP.
 */
const procedure = t.procedure.use(async ({ ctx, path, next }) => {
  const result = await next();
  if (result.ok) return result;
  if (result.error.cause instanceof DomainError) throw toTRPCError(result.error.cause);
  const shown = hideInternal(result.error, ctx.requestId, path);
  if (shown !== result.error) throw shown;
  return result;
});

export const publicProcedure = procedure;

export const protectedProcedure = procedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in first." });
  const principal = ctx.principal;
  return next({ ctx: { principal, actor: { userId: principal.userId, label: principal.email } } });
});

/**
 * Procedures on one organisation's data. The organisation comes in the input, the caller's
 * role in it is checked here, and routers filter every query by `ctx.org.id`.
 * Non-members are told FORBIDDEN whether or not the organisation exists, so nothing leaks.
 */
export function orgProcedure(minimumRole: OrgRole) {
  return protectedProcedure.input(z.object({ orgId: z.uuid() })).use(({ ctx, input, next }) => {
    const membership = ctx.principal.memberships.find((m) => m.orgId === input.orgId);
    if (!membership) {
      throw new TRPCError({ code: "FORBIDDEN", message: "You are not a member of this organisation." });
    }
    if (!roleAtLeast(membership.role, minimumRole)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: `This needs the ${minimumRole} role or higher; you are ${membership.role}.`,
      });
    }
    // The organisation requires two-factor and this member has none yet (issue #16.4).
    if (ctx.principal.twoFactorSetupFor.includes(membership.orgId)) {
      throw new TRPCError({
        code: "FORBIDDEN",
        message: "This organisation requires two-factor sign-in: set it up first (Profile → Two-factor sign-in).",
      });
    }
    return next({ ctx: { org: { id: membership.orgId, role: membership.role } } });
  });
}

/** The public portal: no sign-in, but mail and rate limits must be wired in. */
export const portalProcedure = procedure.use(({ ctx, next }) => {
  if (!ctx.portal) throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: "The portal is not configured." });
  return next({ ctx: { portal: ctx.portal } });
});

export const regulatorProcedure = protectedProcedure.use(({ ctx, next }) => {
  const regulator = ctx.principal.regulator;
  if (!regulator) throw new TRPCError({ code: "FORBIDDEN", message: "Only regulators can see this." });
  return next({ ctx: { regulator } });
});

export const adminProcedure = protectedProcedure.use(({ ctx, next }) => {
  if (!ctx.principal.isPlatformAdmin) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only platform administrators can do this." });
  }
  return next();
});

/** Writes the audit entry for a mutation, in the mutation's own transaction. */
export function audit(
  tx: Executor,
  ctx: { actor: AuditInput["actor"]; org?: { id: string } },
  entry: Omit<AuditInput, "actor" | "orgId">,
) {
  return writeAudit(tx, { ...entry, actor: ctx.actor, orgId: ctx.org?.id ?? null });
}
