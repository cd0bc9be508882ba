import type {
  AssessmentFacts,
  CameraFacts,
  ConsentFacts,
  EntryPointFacts,
  FilingFacts,
  NoticeFacts,
  OrganizationFacts,
  PhotoFacts,
  RequestFacts,
  SignFacts,
  SiteFacts,
  SiteInfo,
  TemplateFacts,
} from "@consentry/compliance";
import { groupBy } from "@consentry/compliance";
import type { Executor } from "@consentry/db";
import { type ConsentRow, type FactRows, loadFactRows, type TemplateRow } from "./fact-loaders";

type Row<K extends keyof FactRows> = FactRows[K] extends (infer R)[] ? R : never;
type SignRows = FactRows["signs"];

const dateOf = (ms: number | null) => (ms === null ? null : new Date(ms));

// One mapper per entity: a row as the rules engine sees it.

const siteInfo = (site: Row<"sites">, regionChanges: Row<"regionChanges">[] = []): SiteInfo => ({
  id: site.id,
  name: site.name,
  kind: site.kind,
  templateRetentionDays: site.templateRetentionDays,
  lastMaterialChangeAt: site.lastMaterialChangeAt,
  regionChanges: regionChanges.map(({ at, fromRegion, toRegion }) => ({ at, fromRegion, toRegion })),
});

const photoFacts = ({ subjectId, consentId, count }: Row<"photos">): PhotoFacts => ({ subjectId, consentId, count });

const cameraFacts = (camera: Row<"cameras">): CameraFacts => ({
  id: camera.id,
  name: camera.name,
  locationType: camera.locationType,
  frEnabled: camera.frEnabled,
  disabled: camera.disabledAt !== null,
  entryPointId: camera.entryPointId,
});

const entryPointFacts = (entry: Row<"entryPoints">): EntryPointFacts => ({
  id: entry.id,
  name: entry.name,
  purpose: entry.purpose,
  necessityNote: entry.necessityNote,
  faceRecognition: entry.faceRecognition,
  faceIsDefault: entry.faceIsDefault,
  isPublicPlace: entry.isPublicPlace,
  captureAreaNote: entry.captureAreaNote,
  alternatives: entry.alternatives,
});

/** A sign with what it covers, from its links grouped by sign. */
const signFacts = (
  sign: SignRows["signs"][number],
  cameraLinks: SignRows["cameraLinks"] = [],
  entryPointLinks: SignRows["entryPointLinks"] = [],
): SignFacts => ({
  id: sign.id,
  location: sign.location,
  verifiedAt: sign.verifiedAt,
  cameraIds: cameraLinks.map((link) => link.cameraId),
  entryPointIds: entryPointLinks.map((link) => link.entryPointId),
});

const noticeFacts = (notice: Row<"notices">): NoticeFacts => ({
  id: notice.id,
  version: notice.version,
  controller: notice.controller,
  purpose: notice.purpose,
  method: notice.method,
  retention: notice.retention,
  rights: notice.rights,
  contact: notice.contact,
});

const consentFacts = (consent: ConsentRow): ConsentFacts => ({
  id: consent.id,
  subjectId: consent.subjectId,
  purpose: consent.purpose,
  scopes: consent.scopes,
  isSeparate: consent.isSeparate,
  isBundled: consent.isBundled,
  noticeId: consent.noticeId,
  guardianConsentAt: dateOf(consent.guardianConsentAt),
  givenAt: new Date(consent.givenAt),
  withdrawnAt: dateOf(consent.withdrawnAt),
});

const templateFacts = (template: TemplateRow): TemplateFacts => ({
  id: template.id,
  subjectId: template.subjectId,
  consentId: template.consentId,
  storage: template.storage,
  encrypted: template.encrypted,
  createdAt: new Date(template.createdAt),
  lastUsedAt: dateOf(template.lastUsedAt),
  deletionQueuedAt: dateOf(template.deletionQueuedAt),
});

const requestFacts = (request: Row<"requests">): RequestFacts => ({
  id: request.id,
  reference: request.referenceCode,
  type: request.type,
  status: request.status,
  verifiedAt: request.verifiedAt,
  dueAt: request.dueAt,
  closedAt: request.closedAt,
  refusalReason: request.refusalReason,
  certificateIssuedAt: request.certificateSha256 ? request.closedAt : null,
});

const assessmentFacts = (assessment: Row<"assessments">): AssessmentFacts => ({
  id: assessment.id,
  completedAt: assessment.completedAt,
  scope: assessment.scope,
});

const filingFacts = (filing: NonNullable<FactRows["filing"]>): FilingFacts => ({
  thresholdReachedAt: filing.thresholdReachedAt,
  filedAt: filing.filedAt,
  reference: filing.reference,
  deregisteredAt: filing.deregisteredAt,
});

/** Each site's facts, from the rows of all of them grouped by site. */
function siteFactsOf(rows: FactRows): SiteFacts[] {
  const bySite = <T extends { siteId: string }>(items: T[]) => groupBy(items, (row) => row.siteId);
  const { people } = rows;
  const subjectById = new Map(people.subjects.map((subject) => [subject.id, subject]));
  const cameras = bySite(rows.cameras);
  const entryPoints = bySite(rows.entryPoints);
  const signs = bySite(rows.signs.signs);
  const notices = bySite(rows.notices);
  const consents = bySite(people.consents);
  const templates = bySite(people.templates);
  const requests = bySite(rows.requests);
  const assessments = bySite(rows.assessments);
  const regionChanges = bySite(rows.regionChanges);
  const photos = bySite(rows.photos);
  const { retention } = rows;
  const camerasOfSign = groupBy(rows.signs.cameraLinks, (row) => row.signId);
  const entriesOfSign = groupBy(rows.signs.entryPointLinks, (row) => row.signId);

  return rows.sites.map((site) => {
    const siteConsents = consents.get(site.id) ?? [];
    const siteTemplates = templates.get(site.id) ?? [];
    const personIds = new Set([...siteConsents, ...siteTemplates].map((row) => row.subjectId));
    return {
      site: siteInfo(site, regionChanges.get(site.id)),
      cameras: (cameras.get(site.id) ?? []).map(cameraFacts),
      entryPoints: (entryPoints.get(site.id) ?? []).map(entryPointFacts),
      signs: (signs.get(site.id) ?? []).map((sign) =>
        signFacts(sign, camerasOfSign.get(sign.id), entriesOfSign.get(sign.id)),
      ),
      notices: (notices.get(site.id) ?? []).map(noticeFacts),
      subjects: [...personIds].flatMap((id) => {
        const subject = subjectById.get(id);
        return subject ? [subject] : [];
      }),
      consents: siteConsents.map(consentFacts),
      templates: siteTemplates.map(templateFacts),
      ...(people.settledTemplates.has(site.id) && { settledTemplates: people.settledTemplates.get(site.id) }),
      requests: (requests.get(site.id) ?? []).map(requestFacts),
      assessments: (assessments.get(site.id) ?? []).map(assessmentFacts),
      photos: (photos.get(site.id) ?? []).map(photoFacts),
      retention: {
        due: retention.due.get(site.id) ?? {},
        overdue: retention.overdue.get(site.id) ?? {},
        lastRun: retention.lastRun,
      },
    };
  });
}

/**
 * Loads what the rules engine judges, for one organisation (or one of its sites), in one round
 * of parallel queries whatever its size. Names and contacts are never loaded: findings name
 * people by pseudonym only. People nothing can be wrong with are counted, not listed (people.ts);
 * `everyone` lists every person, which the summary is checked against (settled.test.ts).
 */
export async function loadOrganizationFacts(
  db: Executor,
  orgId: string,
  options: { siteId?: string; now?: Date; everyone?: boolean } = {},
) {
  const now = options.now ?? new Date();
  const rows = await loadFactRows({ db, orgId, siteId: options.siteId, now }, { everyone: options.everyone });
  const { organization: org, filing, auditCheck } = rows;
  if (!org) throw new Error(`organisation ${orgId} not found`);
  const facts: OrganizationFacts = {
    now,
    profile: org.jurisdictionProfile,
    organization: { id: org.id, name: org.name, filing: filing ? filingFacts(filing) : null },
    sites: siteFactsOf(rows),
    ...(rows.people.subjectsWithTemplates !== undefined && {
      subjectsWithTemplates: rows.people.subjectsWithTemplates,
    }),
    // Never verified yet counts as intact; the ops worker checks hourly from its start.
    auditChainOk: auditCheck?.ok ?? true,
  };
  return facts;
}
