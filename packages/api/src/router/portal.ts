import { requestDueAt } from "@consentry/compliance";
import {
  keyedHash,
  newReferenceCode,
  newVerificationCode,
  normaliseEmail,
  sameHash,
  statusToken,
} from "@consentry/core/portal";
import { encryptString } from "@consentry/crypto";
import { and, asc, count, desc, eq, ilike, isNull, or, schema } from "@consentry/db";
import { verificationMail } from "@consentry/mail";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { portalProcedure, router } from "../trpc";

const { dsrRequests, sites, organizations } = schema;
export const CODE_TTL_MINUTES = 15;
export const MAX_CODE_ATTEMPTS = 5;
const LIMITS = { submitPerIp: 10, submitPerContact: 3, verifyPerIp: 30, windowSeconds: 3600 };

// Plain text only: anything with markup characters is refused rather than stored.
const plainText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((value) => !/[<>]/.test(value), { error: "plainText" });

const statusInput = z.object({ reference: z.string().trim().max(20), token: z.string().trim().max(64) });

/** The request's reference, once the token proves the caller verified it; else NOT_FOUND. */
function checkStatusToken(secret: string, input: z.infer<typeof statusInput>): string {
  const reference = input.reference.toUpperCase();
  const expected = statusToken(secret, reference);
  if (input.token.length !== expected.length || !sameHash(input.token, expected)) {
    throw new TRPCError({ code: "NOT_FOUND", message: "No request with this reference and link." });
  }
  return reference;
}

const tooMany = () =>
  new TRPCError({ code: "TOO_MANY_REQUESTS", message: "Too many attempts. Please wait an hour and try again." });

/**
 * The data-subject portal: anyone can ask a site for deletion, access, withdrawal or correction
 * without an account. Answers never depend on whether the site holds data on the person: that
 * is only looked at by staff, after the email address is verified.
 */
export const portalRouter = router({
  /** Sites by name or by the code printed on their signs. */
  sites: portalProcedure.input(z.object({ query: plainText(80).pipe(z.string().min(2)) })).query(({ ctx, input }) => {
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
          .pipe(z.string().regex(/^[+0-9 ()-]*$/, { error: "phone" }))
          .optional(),
        reference: plainText(80).optional(),
        details: plainText(2000).optional(),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      const email = normaliseEmail(input.email);
      const contactHash = keyedHash(ctx.portal.secret, "contact", email);
      const [ipOk, contactOk] = await Promise.all([
        ctx.portal.limiter.hit(`portal-submit-ip:${ctx.portal.clientIp}`, LIMITS.submitPerIp, LIMITS.windowSeconds),
        ctx.portal.limiter.hit(`portal-submit-contact:${contactHash}`, LIMITS.submitPerContact, LIMITS.windowSeconds),
      ]);
      if (!ipOk || !contactOk) throw tooMany();
      const [site] = await ctx.db
        .select({ id: sites.id, orgId: sites.orgId })
        .from(sites)
        .where(and(eq(sites.id, input.siteId), isNull(sites.archivedAt)));
      if (!site) throw new TRPCError({ code: "NOT_FOUND", message: "Choose a site from the list." });
      const code = newVerificationCode();
      const requestId = crypto.randomUUID();
      const contact = JSON.stringify({
        email,
        phone: input.phone || null,
        reference: input.reference || null,
        details: input.details || null,
      });
      await ctx.db.insert(dsrRequests).values({
        id: requestId,
        orgId: site.orgId,
        siteId: site.id,
        type: input.type,
        referenceCode: newReferenceCode(),
        contactEnc: encryptString(contact, "dsr_requests.contact"),
        contactHash,
        verificationCodeHash: keyedHash(ctx.portal.secret, "code", `${requestId}:${code}`),
        verificationExpiresAt: new Date(Date.now() + CODE_TTL_MINUTES * 60_000),
      });
      await ctx.portal.mailer.send(verificationMail(email, code, CODE_TTL_MINUTES));
      return { requestId };
    }),

  /** Checks the one-time code; a verified request gets its reference, status link and due date. */
  verify: portalProcedure
    .input(
      z.object({
        requestId: z.uuid(),
        code: z
          .string()
          .trim()
          .regex(/^\d{6}$/, { error: "code" }),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      if (
        !(await ctx.portal.limiter.hit(
          `portal-verify-ip:${ctx.portal.clientIp}`,
          LIMITS.verifyPerIp,
          LIMITS.windowSeconds,
        ))
      ) {
        throw tooMany();
      }
      const wrong = new TRPCError({ code: "BAD_REQUEST", message: "The code is wrong or has expired." });
      const outcome = await ctx.db.transaction(async (tx) => {
        const [request] = await tx
          .select({
            id: dsrRequests.id,
            referenceCode: dsrRequests.referenceCode,
            codeHash: dsrRequests.verificationCodeHash,
            expiresAt: dsrRequests.verificationExpiresAt,
            attempts: dsrRequests.verificationAttempts,
            verifiedAt: dsrRequests.verifiedAt,
            profile: organizations.jurisdictionProfile,
          })
          .from(dsrRequests)
          .innerJoin(organizations, eq(organizations.id, dsrRequests.orgId))
          .where(eq(dsrRequests.id, input.requestId))
          .for("update", { of: dsrRequests });
        if (!request || request.verifiedAt || !request.codeHash || !request.expiresAt) throw wrong;
        if (request.attempts >= MAX_CODE_ATTEMPTS) {
          throw new TRPCError({ code: "FORBIDDEN", message: "Too many wrong codes. Please file the request again." });
        }
        const given = keyedHash(ctx.portal.secret, "code", `${request.id}:${input.code}`);
        if (request.expiresAt < new Date() || !sameHash(given, request.codeHash)) {
          await tx
            .update(dsrRequests)
            .set({ verificationAttempts: request.attempts + 1 })
            .where(eq(dsrRequests.id, request.id));
          // Returned, not thrown: the attempt must be counted, so this transaction commits.
          return null;
        }
        const verifiedAt = new Date();
        const dueAt = requestDueAt(request.profile, verifiedAt);
        // Single use: the hash is gone once it has been used.
        await tx
          .update(dsrRequests)
          .set({ verifiedAt, dueAt, status: "open", verificationCodeHash: null, verificationExpiresAt: null })
          .where(eq(dsrRequests.id, request.id));
        return {
          reference: request.referenceCode,
          token: statusToken(ctx.portal.secret, request.referenceCode),
          dueAt,
        };
      });
      if (!outcome) throw wrong;
      return outcome;
    }),

  /** The requester's status page, reached with the link given after verification. */
  status: portalProcedure.input(statusInput).query(async ({ ctx, input }) => {
    const reference = checkStatusToken(ctx.portal.secret, input);
    const [request] = await ctx.db
      .select({
        reference: dsrRequests.referenceCode,
        type: dsrRequests.type,
        status: dsrRequests.status,
        siteName: sites.name,
        submittedAt: dsrRequests.submittedAt,
        verifiedAt: dsrRequests.verifiedAt,
        dueAt: dsrRequests.dueAt,
        closedAt: dsrRequests.closedAt,
        refusalReason: dsrRequests.refusalReason,
        outcome: dsrRequests.outcome,
        certificateSha256: dsrRequests.certificateSha256,
      })
      .from(dsrRequests)
      .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
      .where(eq(dsrRequests.referenceCode, reference));
    if (!request) throw new TRPCError({ code: "NOT_FOUND", message: "No request with this reference and link." });
    return request;
  }),

  /**
   * What the organisation holds about the requester, once their access request is answered:
   * consents, the notices they saw and recognition events. Never a template's embedding.
   */
  export: portalProcedure.input(statusInput).query(async ({ ctx, input }) => {
    const reference = checkStatusToken(ctx.portal.secret, input);
    const [request] = await ctx.db
      .select({ subjectId: dsrRequests.subjectId, type: dsrRequests.type, status: dsrRequests.status })
      .from(dsrRequests)
      .where(eq(dsrRequests.referenceCode, reference));
    if (request?.type !== "access" || request.status !== "completed") {
      throw new TRPCError({ code: "NOT_FOUND", message: "No answered access request with this reference." });
    }
    const subjectId = request.subjectId;
    if (!subjectId) return { reference, pseudonym: null, consents: [], templates: 0, recognitions: [] };
    const { subjects, consents, notices, faceTemplates, recognitionEvents, cameras } = schema;
    const [[subject], consentRows, [templates], recognitions] = await Promise.all([
      ctx.db.select({ pseudonym: subjects.pseudonym }).from(subjects).where(eq(subjects.id, subjectId)),
      ctx.db
        .select({
          site: sites.name,
          purpose: consents.purpose,
          scopes: consents.scopes,
          method: consents.method,
          givenAt: consents.givenAt,
          withdrawnAt: consents.withdrawnAt,
          noticeVersion: notices.version,
          noticeController: notices.controller,
          noticePurpose: notices.purpose,
          noticeRetention: notices.retention,
        })
        .from(consents)
        .innerJoin(sites, eq(sites.id, consents.siteId))
        .leftJoin(notices, eq(notices.id, consents.noticeId))
        .where(eq(consents.subjectId, subjectId))
        .orderBy(asc(consents.givenAt)),
      ctx.db.select({ value: count() }).from(faceTemplates).where(eq(faceTemplates.subjectId, subjectId)),
      ctx.db
        .select({ at: recognitionEvents.at, camera: cameras.name, site: sites.name, score: recognitionEvents.score })
        .from(recognitionEvents)
        .innerJoin(cameras, eq(cameras.id, recognitionEvents.cameraId))
        .innerJoin(sites, eq(sites.id, cameras.siteId))
        .where(eq(recognitionEvents.subjectId, subjectId))
        .orderBy(desc(recognitionEvents.at))
        .limit(10_000),
    ]);
    return {
      reference,
      pseudonym: subject?.pseudonym ?? null,
      consents: consentRows,
      templates: templates?.value ?? 0,
      recognitions,
    };
  }),

  /** The deletion certificate, exactly as hashed into the audit chain. */
  certificate: portalProcedure.input(statusInput).query(async ({ ctx, input }) => {
    const reference = checkStatusToken(ctx.portal.secret, input);
    const [request] = await ctx.db
      .select({ certificate: dsrRequests.certificate, sha256: dsrRequests.certificateSha256 })
      .from(dsrRequests)
      .where(eq(dsrRequests.referenceCode, reference));
    if (!request?.certificate || !request.sha256) {
      throw new TRPCError({ code: "NOT_FOUND", message: "No certificate has been issued for this request yet." });
    }
    return { reference, certificate: request.certificate, sha256: request.sha256 };
  }),
});
