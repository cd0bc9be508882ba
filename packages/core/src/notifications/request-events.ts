import { type Executor, eq, schema } from "@consentry/db";
import { type CreatedNotification, createNotifications } from "./notify";

const { dsrRequests, sites } = schema;

async function requestFacts(db: Executor, requestId: string) {
  const [request] = await db
    .select({
      orgId: dsrRequests.orgId,
      siteId: dsrRequests.siteId,
      type: dsrRequests.type,
      reference: dsrRequests.referenceCode,
      dueAt: dsrRequests.dueAt,
      site: sites.name,
    })
    .from(dsrRequests)
    .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
    .where(eq(dsrRequests.id, requestId));
  return request;
}

/** A verified portal request, for the staff who answer requests (operators and up). */
export async function requestReceivedNotifications(db: Executor, requestId: string): Promise<CreatedNotification[]> {
  const request = await requestFacts(db, requestId);
  if (!request) return [];
  return createNotifications(db, {
    orgId: request.orgId,
    kind: "request_received",
    siteId: request.siteId,
    targetType: "request",
    targetId: requestId,
    params: {
      reference: request.reference,
      type: request.type,
      site: request.site,
      dueAt: request.dueAt?.toISOString() ?? null,
    },
    dedupeKey: `request_received:${requestId}`,
  });
}

/** An erasure that keeps failing (or was refused for good): once per request, with the attempts so far. */
export async function erasureFailedNotifications(
  db: Executor,
  requestId: string,
  attempts: number,
): Promise<CreatedNotification[]> {
  const request = await requestFacts(db, requestId);
  if (!request) return [];
  return createNotifications(db, {
    orgId: request.orgId,
    kind: "erasure_failed",
    siteId: request.siteId,
    targetType: "request",
    targetId: requestId,
    params: { reference: request.reference, type: request.type, site: request.site, attempts },
    dedupeKey: `erasure_failed:${requestId}`,
  });
}
