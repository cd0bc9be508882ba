import { asc, count, type Database, desc, eq, schema } from "@consentry/db";
import { DomainError } from "../errors";
import { checkStatusToken } from "./limits";
import type { StatusLink } from "./request-status";
import type { PortalServices } from "./services";

const { dsrRequests, sites, subjects, consents, notices, faceTemplates, recognitionEvents, cameras } = schema;

/**
 * What the organisation holds about the requester, once their access request is answered:
 * consents, the notices they saw and recognition events. Never a template's embedding.
 */
export async function accessExport(deps: { db: Database } & Pick<PortalServices, "secret">, input: StatusLink) {
  const reference = checkStatusToken(deps, input);
  const [request] = await deps.db
    .select({ subjectId: dsrRequests.subjectId, type: dsrRequests.type, status: dsrRequests.status })
    .from(dsrRequests)
    .where(eq(dsrRequests.referenceCode, reference));
  if (request?.type !== "access" || request.status !== "completed") {
    throw new DomainError("notFound", "No answered access request with this reference.");
  }
  const subjectId = request.subjectId;
  if (!subjectId) return { reference, pseudonym: null, consents: [], templates: 0, recognitions: [] };
  const [[subject], consentRows, [templates], recognitions] = await Promise.all([
    deps.db.select({ pseudonym: subjects.pseudonym }).from(subjects).where(eq(subjects.id, subjectId)),
    deps.db
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
    deps.db.select({ value: count() }).from(faceTemplates).where(eq(faceTemplates.subjectId, subjectId)),
    deps.db
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
}
