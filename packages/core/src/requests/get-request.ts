import { and, asc, type Database, eq, ne, schema, sql } from "@consentry/db";
import { notFound } from "../errors";

const {
  auditLog,
  consents,
  dsrErasures,
  dsrRequests,
  enrolmentPhotos,
  faceTemplates,
  recognitionEvents,
  sites,
  subjects,
} = schema;

/** One step of a request's history, oldest first: its own dates, then what the audit log recorded about it. */
export type RequestEvent = {
  at: Date;
  /** `submitted`, `verified`, or the audit action (`request.approve`, `dsr.erasure.complete`, …). */
  kind: string;
  actor: string | null;
  details: Record<string, unknown>;
};

/**
 * A verified request with its history, for the staff who work it. The requester's contact
 * stays encrypted (see `showContact`, audited); the history is read from the audit log, so it
 * shows exactly what the chain certifies.
 */
export async function getRequest(db: Database, orgId: string, requestId: string) {
  const [request] = await db
    .select({
      id: dsrRequests.id,
      referenceCode: dsrRequests.referenceCode,
      type: dsrRequests.type,
      status: dsrRequests.status,
      siteId: dsrRequests.siteId,
      siteName: sites.name,
      subjectId: dsrRequests.subjectId,
      subjectPseudonym: subjects.pseudonym,
      assignedUserId: dsrRequests.assignedUserId,
      submittedAt: dsrRequests.submittedAt,
      verifiedAt: dsrRequests.verifiedAt,
      dueAt: dsrRequests.dueAt,
      closedAt: dsrRequests.closedAt,
      refusalReason: dsrRequests.refusalReason,
      linkOverrideReason: dsrRequests.linkOverrideReason,
      outcome: dsrRequests.outcome,
      certificateSha256: dsrRequests.certificateSha256,
      contactRemoved: sql<boolean>`${dsrRequests.contactEnc} is null`,
    })
    .from(dsrRequests)
    .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
    .leftJoin(subjects, eq(subjects.id, dsrRequests.subjectId))
    .where(
      and(eq(dsrRequests.id, requestId), eq(dsrRequests.orgId, orgId), ne(dsrRequests.status, "pending_verification")),
    );
  if (!request) return notFound("Request");

  const [entries, [erasure]] = await Promise.all([
    db
      .select({ at: auditLog.at, action: auditLog.action, actor: auditLog.actorLabel, details: auditLog.details })
      .from(auditLog)
      .where(and(eq(auditLog.targetType, "request"), eq(auditLog.targetId, request.id), eq(auditLog.orgId, orgId)))
      .orderBy(asc(auditLog.id))
      .limit(200),
    db
      .select({
        startedAt: dsrErasures.startedAt,
        attempts: dsrErasures.attempts,
        completedAt: dsrErasures.completedAt,
      })
      .from(dsrErasures)
      .where(eq(dsrErasures.requestId, request.id)),
  ]);
  const history: RequestEvent[] = [
    { at: request.submittedAt, kind: "submitted", actor: null, details: {} },
    ...(request.verifiedAt ? [{ at: request.verifiedAt, kind: "verified", actor: null, details: {} }] : []),
    ...entries.map((entry) => ({
      at: entry.at,
      kind: entry.action,
      actor: entry.actor,
      details: (entry.details ?? {}) as Record<string, unknown>,
    })),
    ...(erasure && !erasure.completedAt
      ? [{ at: erasure.startedAt, kind: "dsr.erasure.running", actor: null, details: { attempts: erasure.attempts } }]
      : []),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
  return { ...request, history };
}

/** Counts of what an approval erases or ends; withdrawal has no photos or events. */
export type ApprovalCounts = { templates: number; consents: number; photos?: number; recognitionEvents?: number };

/**
 * What approving the request would erase or end, counted now, so the confirmation can say it.
 * Deletion: everything of the person across the organisation; withdrawal: their consents and
 * face templates at the request's site. Access and correction erase nothing.
 */
export async function previewApproval(db: Database, orgId: string, requestId: string) {
  const [request] = await db
    .select({ type: dsrRequests.type, subjectId: dsrRequests.subjectId, siteId: dsrRequests.siteId })
    .from(dsrRequests)
    .where(and(eq(dsrRequests.id, requestId), eq(dsrRequests.orgId, orgId)));
  if (!request) return notFound("Request");
  const empty = { type: request.type, linked: Boolean(request.subjectId), counts: null as ApprovalCounts | null };
  if (!request.subjectId || (request.type !== "deletion" && request.type !== "withdrawal")) return empty;
  const subjectId = request.subjectId;
  if (request.type === "withdrawal") {
    const [counts] = await db.execute<{ templates: number; consents: number }>(sql`select
      (select count(*)::int from ${faceTemplates} where subject_id = ${subjectId} and site_id = ${request.siteId}
         and deletion_queued_at is null) as templates,
      (select count(*)::int from ${consents} where subject_id = ${subjectId} and site_id = ${request.siteId}
         and withdrawn_at is null) as consents`);
    return { ...empty, counts: { templates: counts?.templates ?? 0, consents: counts?.consents ?? 0 } };
  }
  const [counts] = await db.execute<{ templates: number; consents: number; photos: number; events: number }>(sql`select
    (select count(*)::int from ${faceTemplates} where subject_id = ${subjectId}) as templates,
    (select count(*)::int from ${consents} where subject_id = ${subjectId} and withdrawn_at is null) as consents,
    (select count(*)::int from ${enrolmentPhotos} where subject_id = ${subjectId}) as photos,
    (select count(*)::int from ${recognitionEvents} where subject_id = ${subjectId}) as events`);
  return {
    ...empty,
    counts: {
      templates: counts?.templates ?? 0,
      consents: counts?.consents ?? 0,
      photos: counts?.photos ?? 0,
      recognitionEvents: counts?.events ?? 0,
    },
  };
}
