import { notFound } from "@consentry/core/errors";
import { pageInput } from "@consentry/core/validators";
import { decryptString } from "@consentry/crypto";
import { and, asc, count, eq, isNull, ne, schema, sql } from "@consentry/db";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { audit, orgProcedure, router } from "../trpc";

const { dsrRequests, sites, subjects, consents, faceTemplates } = schema;
const requestId = z.object({ requestId: z.uuid() });

async function findOpenRequest(db: import("@consentry/db").Executor, orgId: string, id: string) {
  const [request] = await db
    .select()
    .from(dsrRequests)
    .where(and(eq(dsrRequests.id, id), eq(dsrRequests.orgId, orgId), ne(dsrRequests.status, "pending_verification")))
    .for("update");
  if (!request) return notFound("Request");
  if (request.closedAt || request.status === "approved") {
    throw new TRPCError({ code: "CONFLICT", message: "This request has already been answered." });
  }
  return request;
}

/** Verified data-subject requests and the staff's answers (CN-PI-06: a refusal carries its reason). */
export const requestsRouter = router({
  /** Soonest due first, open ones before closed ones. Contacts stay encrypted here. */
  list: orgProcedure("operator")
    .input(pageInput)
    .query(async ({ ctx, input }) => {
      const where = and(eq(dsrRequests.orgId, ctx.org.id), ne(dsrRequests.status, "pending_verification"));
      const [items, [total]] = await Promise.all([
        ctx.db
          .select({
            id: dsrRequests.id,
            referenceCode: dsrRequests.referenceCode,
            type: dsrRequests.type,
            status: dsrRequests.status,
            siteName: sites.name,
            subjectPseudonym: subjects.pseudonym,
            assignedUserId: dsrRequests.assignedUserId,
            submittedAt: dsrRequests.submittedAt,
            dueAt: dsrRequests.dueAt,
            closedAt: dsrRequests.closedAt,
            refusalReason: dsrRequests.refusalReason,
          })
          .from(dsrRequests)
          .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
          .leftJoin(subjects, eq(subjects.id, dsrRequests.subjectId))
          .where(where)
          .orderBy(sql`${dsrRequests.closedAt} is not null`, asc(dsrRequests.dueAt))
          .limit(input.pageSize)
          .offset((input.page - 1) * input.pageSize),
        ctx.db.select({ value: count() }).from(dsrRequests).where(where),
      ]);
      return { items, total: total?.value ?? 0, page: input.page, pageSize: input.pageSize };
    }),

  /** The requester's contact, for staff who answer the request; each look is audited. */
  contact: orgProcedure("operator")
    .input(requestId)
    .mutation(async ({ ctx, input }) => {
      const [request] = await ctx.db
        .select({ contactEnc: dsrRequests.contactEnc })
        .from(dsrRequests)
        .where(and(eq(dsrRequests.id, input.requestId), eq(dsrRequests.orgId, ctx.org.id)));
      if (!request) return notFound("Request");
      await ctx.db.transaction((tx) =>
        audit(tx, ctx, { action: "request.contact.view", targetType: "request", targetId: input.requestId }),
      );
      return JSON.parse(decryptString(request.contactEnc, "dsr_requests.contact")) as {
        email: string;
        phone: string | null;
        reference: string | null;
        details: string | null;
      };
    }),

  assignToMe: orgProcedure("operator")
    .input(requestId)
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const request = await findOpenRequest(tx, ctx.org.id, input.requestId);
        await tx
          .update(dsrRequests)
          .set({ assignedUserId: ctx.principal.userId, status: "in_progress" })
          .where(eq(dsrRequests.id, request.id));
        await audit(tx, ctx, { action: "request.assign", targetType: "request", targetId: request.id });
        return { id: request.id };
      }),
    ),

  /** Names the person the request is about, by the pseudonym the site gave them. */
  linkSubject: orgProcedure("operator")
    .input(requestId.extend({ pseudonym: z.string().trim().min(1).max(40) }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const request = await findOpenRequest(tx, ctx.org.id, input.requestId);
        const [subject] = await tx
          .select({ id: subjects.id })
          .from(subjects)
          .where(
            and(eq(subjects.orgId, ctx.org.id), eq(subjects.pseudonym, input.pseudonym), isNull(subjects.erasedAt)),
          );
        if (!subject)
          throw new TRPCError({ code: "NOT_FOUND", message: `Nobody with the pseudonym ${input.pseudonym}.` });
        await tx.update(dsrRequests).set({ subjectId: subject.id }).where(eq(dsrRequests.id, request.id));
        await audit(tx, ctx, {
          action: "request.link_subject",
          targetType: "request",
          targetId: request.id,
          details: { pseudonym: input.pseudonym },
        });
        return { id: request.id };
      }),
    ),

  /**
   * Grants the request. Deletion queues the erasure job (it completes the request and issues the
   * certificate); withdrawal ends the person's consents at the site and queues their templates'
   * deletion; access and correction are answered and closed.
   */
  approve: orgProcedure("manager")
    .input(requestId)
    .mutation(async ({ ctx, input }) => {
      const approved = await ctx.db.transaction(async (tx) => {
        const request = await findOpenRequest(tx, ctx.org.id, input.requestId);
        if (!request.subjectId && (request.type === "deletion" || request.type === "withdrawal")) {
          throw new TRPCError({
            code: "PRECONDITION_FAILED",
            message: "Link the request to the person (their pseudonym) before approving it.",
          });
        }
        const now = new Date();
        let templateIds: string[] = [];
        if (request.type === "withdrawal" && request.subjectId) {
          const withdrawn = await tx
            .update(consents)
            .set({ withdrawnAt: now, withdrawalReason: `Request ${request.referenceCode}` })
            .where(
              and(
                eq(consents.subjectId, request.subjectId),
                eq(consents.siteId, request.siteId),
                isNull(consents.withdrawnAt),
              ),
            )
            .returning({ id: consents.id });
          templateIds = withdrawn.length
            ? (
                await tx
                  .update(faceTemplates)
                  .set({ deletionQueuedAt: now })
                  .where(
                    and(
                      eq(faceTemplates.subjectId, request.subjectId),
                      eq(faceTemplates.siteId, request.siteId),
                      isNull(faceTemplates.deletionQueuedAt),
                    ),
                  )
                  .returning({ id: faceTemplates.id })
              ).map((t) => t.id)
            : [];
        }
        const closes = request.type !== "deletion";
        await tx
          .update(dsrRequests)
          .set({ status: closes ? "completed" : "approved", closedAt: closes ? now : null })
          .where(eq(dsrRequests.id, request.id));
        await audit(tx, ctx, {
          action: "request.approve",
          targetType: "request",
          targetId: request.id,
          details: { type: request.type, templatesQueuedForDeletion: templateIds.length },
        });
        return { request, templateIds };
      });
      const { request, templateIds } = approved;
      // After commit, so a worker never acts on an approval that rolled back.
      if (request.type === "deletion") await ctx.jobs.erase(request.id);
      if (request.type === "withdrawal" && request.subjectId) {
        if (templateIds.length > 0) {
          await ctx.jobs.deleteTemplates({
            jobId: `template-deletion-request-${request.id}`,
            subjectId: request.subjectId,
            templateIds,
            reason: "consent_withdrawn",
          });
        }
        await ctx.jobs.invalidate({ type: "gallery", siteId: request.siteId }).catch(() => {});
      }
      return { id: request.id, status: request.type === "deletion" ? "approved" : "completed" };
    }),

  /** Refuses the request; the requester sees the reason on their status page (CN-PI-06). */
  refuse: orgProcedure("manager")
    .input(requestId.extend({ reason: z.string().trim().min(10).max(2000) }))
    .mutation(({ ctx, input }) =>
      ctx.db.transaction(async (tx) => {
        const request = await findOpenRequest(tx, ctx.org.id, input.requestId);
        await tx
          .update(dsrRequests)
          .set({ status: "refused", refusalReason: input.reason, closedAt: new Date() })
          .where(eq(dsrRequests.id, request.id));
        await audit(tx, ctx, {
          action: "request.refuse",
          targetType: "request",
          targetId: request.id,
          details: { reason: input.reason },
        });
        return { id: request.id };
      }),
    ),
});
