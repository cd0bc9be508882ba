import {
  approveRequest,
  getRequest,
  linkSubject,
  personCandidates,
  previewApproval,
  refuseRequest,
  showContact,
  takeRequest,
} from "@consentry/core/requests";
import { linkSubjectFields, refusalReason, requestListFilter, text } from "@consentry/core/validators";
import { and, asc, count, eq, isNull, lt, ne, type SQL, schema, sql } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const { dsrRequests, sites, subjects } = schema;
const requestId = z.object({ requestId: z.uuid() });

/** Verified data-subject requests and the staff's answers (CN-PI-06: a refusal carries its reason). */
export const requestsRouter = router({
  /** Soonest due first, open ones before closed ones, filtered. Contacts stay encrypted here. */
  list: orgProcedure("operator")
    .input(requestListFilter)
    .query(async ({ ctx, input }) => {
      const conditions: SQL[] = [eq(dsrRequests.orgId, ctx.org.id), ne(dsrRequests.status, "pending_verification")];
      if (input.status) conditions.push(eq(dsrRequests.status, input.status));
      if (input.type) conditions.push(eq(dsrRequests.type, input.type));
      if (input.siteId) conditions.push(eq(dsrRequests.siteId, input.siteId));
      if (input.overdue) conditions.push(isNull(dsrRequests.closedAt), lt(dsrRequests.dueAt, new Date()));
      const where = and(...conditions);
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
            linkOverrideReason: dsrRequests.linkOverrideReason,
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

  /** One request with its history (from the audit log); the contact stays encrypted (see `contact`). */
  get: orgProcedure("operator")
    .input(requestId)
    .query(({ ctx, input }) => getRequest(ctx.db, ctx.org.id, input.requestId)),

  /** The person picker: pseudonyms containing `search`, each with whether its stored contact is the requester's verified email. */
  personCandidates: orgProcedure("operator")
    .input(requestId.extend({ search: text().trim().min(1).max(40) }))
    .query(({ ctx, input }) => personCandidates(ctx.db, ctx.org.id, input)),

  /** What approving would erase or end, counted now, for the confirmation. */
  previewApproval: orgProcedure("manager")
    .input(requestId)
    .query(({ ctx, input }) => previewApproval(ctx.db, ctx.org.id, input.requestId)),

  /** The requester's contact, for staff who answer the request; each look is audited. */
  contact: orgProcedure("operator")
    .input(requestId)
    .mutation(({ ctx, input }) => showContact({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, input)),

  assignToMe: orgProcedure("operator")
    .input(requestId)
    .mutation(({ ctx, input }) =>
      takeRequest({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, userId: ctx.principal.userId }, input),
    ),

  /**
   * Names the person the request is about, by the pseudonym the site gave them. Their stored
   * contact must be the requester's verified email, or staff give an override reason (audited).
   */
  linkSubject: orgProcedure("operator")
    .input(requestId.extend(linkSubjectFields.shape))
    .mutation(({ ctx, input }) => linkSubject({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id }, input)),

  /**
   * Grants the request. Deletion queues the erasure job (it completes the request and issues the
   * certificate); withdrawal ends the person's consents at the site and queues their templates'
   * deletion; access and correction are answered and closed.
   */
  approve: orgProcedure("manager")
    .input(requestId)
    .mutation(({ ctx, input }) =>
      approveRequest({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, input),
    ),

  /** Refuses the request; the requester sees the reason on their status page (CN-PI-06). */
  refuse: orgProcedure("manager")
    .input(requestId.extend({ reason: refusalReason }))
    .mutation(({ ctx, input }) =>
      refuseRequest({ db: ctx.db, actor: ctx.actor, orgId: ctx.org.id, jobs: ctx.jobs }, input),
    ),
});
