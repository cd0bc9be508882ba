import {
  accessExport,
  CODE_TTL_MINUTES,
  MAX_CODE_ATTEMPTS,
  requestCertificate,
  requestStatus,
  submitRequest,
  verifyRequest,
} from "@consentry/core/portal";
import { text } from "@consentry/core/validators";
import { and, asc, eq, ilike, isNull, or, schema } from "@consentry/db";
import { z } from "zod";
import { portalProcedure, router } from "../trpc";

const { sites } = schema;

export { CODE_TTL_MINUTES, MAX_CODE_ATTEMPTS };

// Plain text only: anything with markup characters is refused rather than stored.
const plainText = (max: number) =>
  text()
    .trim()
    .max(max)
    .refine((value) => !/[<>]/.test(value), { error: "plainText" });

const statusInput = z.object({ reference: text().trim().max(20), token: text().trim().max(64) });

/**
 * The data-subject portal: anyone can ask a site for deletion, access, withdrawal or correction
 * without an account. Answers never depend on whether the site holds data on the person: that
 * is only looked at by staff, after the email address is verified.
 */
export const portalRouter = router({
  /** Sites by name or by the code printed on their signs. */
  sites: portalProcedure.input(z.object({ query: plainText(80).pipe(text().min(2)) })).query(({ ctx, input }) => {
    const pattern = `%${input.query.replace(/[\\%_]/g, "")}%`;
    return ctx.db
      .select({ id: sites.id, name: sites.name, code: sites.code, address: sites.address })
      .from(sites)
      .where(and(isNull(sites.archivedAt), or(ilike(sites.name, pattern), eq(sites.code, input.query.toUpperCase()))))
      .orderBy(asc(sites.name))
      .limit(10);
  }),

  submit: portalProcedure
    .input(
      z.object({
        siteId: z.uuid(),
        type: z.enum(["deletion", "access", "withdrawal", "correction"]),
        email: z.email().max(200),
        phone: plainText(40)
          .pipe(text().regex(/^[+0-9 ()-]*$/, { error: "phone" }))
          .optional(),
        reference: plainText(80).optional(),
        details: plainText(2000).optional(),
      }),
    )
    .mutation(({ ctx, input }) => submitRequest({ db: ctx.db, ...ctx.portal }, input)),

  /** Checks the one-time code; a verified request gets its reference, status link and due date. */
  verify: portalProcedure
    .input(
      z.object({
        requestId: z.uuid(),
        code: text()
          .trim()
          .regex(/^\d{6}$/, { error: "code" }),
      }),
    )
    .mutation(({ ctx, input }) => verifyRequest({ db: ctx.db, ...ctx.portal, jobs: ctx.jobs }, input)),

  /** The requester's status page, reached with the link given after verification. */
  status: portalProcedure
    .input(statusInput)
    .query(({ ctx, input }) => requestStatus({ db: ctx.db, ...ctx.portal }, input)),

  /**
   * What the organisation holds about the requester, once their access request is answered:
   * consents, the notices they saw and recognition events. Never a template's embedding.
   */
  export: portalProcedure
    .input(statusInput)
    .query(({ ctx, input }) => accessExport({ db: ctx.db, ...ctx.portal }, input)),

  /** The request's deletion or withdrawal certificate (`kind`), exactly as hashed into the audit chain. */
  certificate: portalProcedure
    .input(statusInput)
    .query(({ ctx, input }) => requestCertificate({ db: ctx.db, ...ctx.portal }, input)),
});
