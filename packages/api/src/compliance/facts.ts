import type { OrganizationFacts, SiteFacts } from "@consentry/compliance";
import { and, desc, type Executor, eq, inArray, isNull, type SQL, schema, sql } from "@consentry/db";
import type { AnyPgColumn } from "drizzle-orm/pg-core";

const s = schema;

function groupBy<T, K>(items: T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * Loads what the rules engine judges, for one organisation (or one of its sites), in a fixed
 * number of queries whatever its size. Names and contacts are never loaded: findings name
 * people by pseudonym only.
 */
export async function loadOrganizationFacts(
  db: Executor,
  orgId: string,
  options: { siteId?: string; now?: Date } = {},
) {
  const [org] = await db.select().from(s.organizations).where(eq(s.organizations.id, orgId));
  if (!org) throw new Error(`organisation ${orgId} not found`);
  // With a site given, every query narrows to it; without, the whole organisation.
  const bySite = (column: AnyPgColumn) => (options.siteId ? eq(column, options.siteId) : undefined);
  const siteWhere: SQL[] = [eq(s.sites.orgId, orgId), isNull(s.sites.archivedAt)];
  if (options.siteId) siteWhere.push(eq(s.sites.id, options.siteId));

  const [sites, cameras, entryPoints, signs, notices, consents, templates, requests, assessments, filings, [chain]] =
    await Promise.all([
      db
        .select()
        .from(s.sites)
        .where(and(...siteWhere)),
      db
        .select()
        .from(s.cameras)
        .where(and(eq(s.cameras.orgId, orgId), bySite(s.cameras.siteId))),
      db
        .select()
        .from(s.entryPoints)
        .where(and(eq(s.entryPoints.orgId, orgId), bySite(s.entryPoints.siteId))),
      db
        .select()
        .from(s.signs)
        .where(and(eq(s.signs.orgId, orgId), bySite(s.signs.siteId))),
      db
        .select()
        .from(s.notices)
        .where(and(eq(s.notices.orgId, orgId), bySite(s.notices.siteId))),
      db
        .select({
          id: s.consents.id,
          siteId: s.consents.siteId,
          subjectId: s.consents.subjectId,
          purpose: s.consents.purpose,
          scopes: s.consents.scopes,
          isSeparate: s.consents.isSeparate,
          isBundled: s.consents.isBundled,
          noticeId: s.consents.noticeId,
          guardianConsentAt: s.consents.guardianConsentAt,
          givenAt: s.consents.givenAt,
          withdrawnAt: s.consents.withdrawnAt,
        })
        .from(s.consents)
        .where(and(eq(s.consents.orgId, orgId), bySite(s.consents.siteId))),
      // Never the embedding itself: only whether it is stored encrypted.
      db
        .select({
          id: s.faceTemplates.id,
          siteId: s.faceTemplates.siteId,
          subjectId: s.faceTemplates.subjectId,
          consentId: s.faceTemplates.consentId,
          storage: s.faceTemplates.storage,
          encrypted: sql<boolean>`${s.faceTemplates.embeddingEnc} like 'v1.%'`,
          createdAt: s.faceTemplates.createdAt,
          lastUsedAt: s.faceTemplates.lastUsedAt,
        })
        .from(s.faceTemplates)
        .where(
          and(
            eq(s.faceTemplates.orgId, orgId),
            isNull(s.faceTemplates.deletionQueuedAt),
            bySite(s.faceTemplates.siteId),
          ),
        ),
      db
        .select()
        .from(s.dsrRequests)
        .where(and(eq(s.dsrRequests.orgId, orgId), bySite(s.dsrRequests.siteId))),
      db
        .select()
        .from(s.assessments)
        .where(and(eq(s.assessments.orgId, orgId), bySite(s.assessments.siteId))),
      db.select().from(s.filings).where(eq(s.filings.orgId, orgId)).orderBy(desc(s.filings.createdAt)).limit(1),
      db.select().from(s.auditChainChecks).orderBy(desc(s.auditChainChecks.id)).limit(1),
    ]);
  const signIds = signs.map((sign) => sign.id);
  const [signCameras, signEntries] = signIds.length
    ? await Promise.all([
        db.select().from(s.signCameras).where(inArray(s.signCameras.signId, signIds)),
        db.select().from(s.signEntryPoints).where(inArray(s.signEntryPoints.signId, signIds)),
      ])
    : [[], []];
  // By subquery, not an id list: an organisation can hold more people than a query has parameters.
  const subjects = await db
    .select({
      id: s.subjects.id,
      pseudonym: s.subjects.pseudonym,
      isMinor: s.subjects.isMinor,
      birthYear: s.subjects.birthYear,
    })
    .from(s.subjects)
    .where(
      and(
        eq(s.subjects.orgId, orgId),
        options.siteId
          ? sql`${s.subjects.id} in (select subject_id from ${s.consents} where site_id = ${options.siteId}
                union select subject_id from ${s.faceTemplates} where site_id = ${options.siteId})`
          : undefined,
      ),
    );

  const subjectById = new Map(subjects.map((subject) => [subject.id, subject]));
  const camerasBySite = groupBy(cameras, (row) => row.siteId);
  const entriesBySite = groupBy(entryPoints, (row) => row.siteId);
  const signsBySite = groupBy(signs, (row) => row.siteId);
  const noticesBySite = groupBy(notices, (row) => row.siteId);
  const consentsBySite = groupBy(consents, (row) => row.siteId);
  const templatesBySite = groupBy(templates, (row) => row.siteId);
  const requestsBySite = groupBy(requests, (row) => row.siteId);
  const assessmentsBySite = groupBy(assessments, (row) => row.siteId);
  const camerasOfSign = groupBy(signCameras, (row) => row.signId);
  const entriesOfSign = groupBy(signEntries, (row) => row.signId);

  const siteFacts: SiteFacts[] = sites.map((site) => {
    const siteConsents = consentsBySite.get(site.id) ?? [];
    const siteTemplates = templatesBySite.get(site.id) ?? [];
    const people = new Set([...siteConsents, ...siteTemplates].map((row) => row.subjectId));
    return {
      site: {
        id: site.id,
        name: site.name,
        kind: site.kind,
        templateRetentionDays: site.templateRetentionDays,
        lastMaterialChangeAt: site.lastMaterialChangeAt,
      },
      cameras: (camerasBySite.get(site.id) ?? []).map((camera) => ({
        id: camera.id,
        name: camera.name,
        locationType: camera.locationType,
        frEnabled: camera.frEnabled,
        disabled: camera.disabledAt !== null,
        entryPointId: camera.entryPointId,
      })),
      entryPoints: (entriesBySite.get(site.id) ?? []).map((entry) => ({
        id: entry.id,
        name: entry.name,
        purpose: entry.purpose,
        necessityNote: entry.necessityNote,
        faceRecognition: entry.faceRecognition,
        faceIsDefault: entry.faceIsDefault,
        isPublicPlace: entry.isPublicPlace,
        alternatives: entry.alternatives,
      })),
      signs: (signsBySite.get(site.id) ?? []).map((sign) => ({
        id: sign.id,
        location: sign.location,
        verifiedAt: sign.verifiedAt,
        cameraIds: (camerasOfSign.get(sign.id) ?? []).map((link) => link.cameraId),
        entryPointIds: (entriesOfSign.get(sign.id) ?? []).map((link) => link.entryPointId),
      })),
      notices: (noticesBySite.get(site.id) ?? []).map((notice) => ({
        id: notice.id,
        version: notice.version,
        controller: notice.controller,
        purpose: notice.purpose,
        method: notice.method,
        retention: notice.retention,
        rights: notice.rights,
        contact: notice.contact,
      })),
      subjects: [...people].flatMap((id) => {
        const subject = subjectById.get(id);
        return subject ? [subject] : [];
      }),
      consents: siteConsents.map((consent) => ({
        id: consent.id,
        subjectId: consent.subjectId,
        purpose: consent.purpose,
        scopes: consent.scopes,
        isSeparate: consent.isSeparate,
        isBundled: consent.isBundled,
        noticeId: consent.noticeId,
        guardianConsentAt: consent.guardianConsentAt,
        givenAt: consent.givenAt,
        withdrawnAt: consent.withdrawnAt,
      })),
      templates: siteTemplates.map((template) => ({
        id: template.id,
        subjectId: template.subjectId,
        consentId: template.consentId,
        storage: template.storage,
        encrypted: template.encrypted,
        createdAt: template.createdAt,
        lastUsedAt: template.lastUsedAt,
      })),
      requests: (requestsBySite.get(site.id) ?? []).map((request) => ({
        id: request.id,
        reference: request.referenceCode,
        type: request.type,
        status: request.status,
        verifiedAt: request.verifiedAt,
        dueAt: request.dueAt,
        closedAt: request.closedAt,
        refusalReason: request.refusalReason,
        certificateIssuedAt: request.certificateSha256 ? request.closedAt : null,
      })),
      assessments: (assessmentsBySite.get(site.id) ?? []).map((assessment) => ({
        id: assessment.id,
        completedAt: assessment.completedAt,
        scope: assessment.scope,
      })),
    };
  });

  const filing = filings[0];
  const facts: OrganizationFacts = {
    now: options.now ?? new Date(),
    profile: org.jurisdictionProfile,
    organization: {
      id: org.id,
      name: org.name,
      filing: filing
        ? {
            thresholdReachedAt: filing.thresholdReachedAt,
            filedAt: filing.filedAt,
            reference: filing.reference,
            deregisteredAt: filing.deregisteredAt,
          }
        : null,
    },
    sites: siteFacts,
    // Never verified yet counts as intact; the ops worker checks hourly from its start.
    auditChainOk: chain?.ok ?? true,
  };
  return facts;
}
