// One pass over a site's facts into Maps and Sets that every rule shares, so no rule scans
// a list inside a loop over another list.
import type {
  CameraFacts,
  ConsentFacts,
  EntryPointFacts,
  NoticeFacts,
  Purpose,
  RequestFacts,
  SiteFacts,
  SubjectFacts,
  TemplateFacts,
} from "./facts";
import type { RuleContext } from "./rules/rule";

const DAY_MS = 86_400_000;

export interface PendingDeletion {
  template: TemplateFacts;
  /** When the consent the template depended on was withdrawn. */
  withdrawnAt: Date;
}

export interface SiteIndex {
  facts: SiteFacts;
  subjectsById: Map<string, SubjectFacts>;
  entryPointsById: Map<string, EntryPointFacts>;
  noticesById: Map<string, NoticeFacts>;
  consentsById: Map<string, ConsentFacts>;
  consentsBySubject: Map<string, ConsentFacts[]>;
  templatesBySubject: Map<string, TemplateFacts[]>;
  /** Cameras doing face recognition: FR switched on and the camera not disabled. */
  frCameras: CameraFacts[];
  /** Entry points flagged for face recognition or served by an FR camera. */
  frEntryPoints: EntryPointFacts[];
  /** Face recognition runs somewhere on the site. */
  frActive: boolean;
  /** The highest notice version, or null if none was published. */
  activeNotice: NoticeFacts | null;
  /** Purposes with at least one valid separate consent at the site. */
  consentedPurposes: Set<Purpose>;
  /** Cameras in use: not switched off by an operator. Signs must cover every one (CN-CAM-02). */
  activeCameras: CameraFacts[];
  /** Cameras covered (directly or through their entry point) by a sign verified recently enough. */
  signedCameraIds: Set<string>;
  /** Templates still relied on; templates whose consent was withdrawn are in `pendingDeletion` instead. */
  liveTemplates: TemplateFacts[];
  /** By template id: templates whose only consent was withdrawn and that were not used since await deletion (CN-PI-03). */
  pendingDeletion: Map<string, PendingDeletion>;
  /** The valid separate consent covering a template's purpose, or undefined. */
  separateConsentFor(template: TemplateFacts): ConsentFacts | undefined;
  /** The purpose a template serves: its own, else its consent's, else unknown (null). */
  templatePurpose(template: TemplateFacts): Purpose | null;
  /** The request's deadline: the earlier of the recorded due date and the profile's statutory one. */
  requestDueAt(request: RequestFacts): Date | null;
}

/** A consent that can carry face recognition under CN-FR-04 / EU-09: active, separate, not bundled. */
export function isValidSeparateConsent(consent: ConsentFacts): boolean {
  return (
    consent.withdrawnAt === null && consent.isSeparate && !consent.isBundled && consent.scopes.includes("recognition")
  );
}

export function indexSite(facts: SiteFacts, context: RuleContext): SiteIndex {
  const { now, settings, profile } = context;
  const subjectsById = byId(facts.subjects);
  const entryPointsById = byId(facts.entryPoints);
  const noticesById = byId(facts.notices);
  const consentsById = byId(facts.consents);
  const consentsBySubject = groupBy(facts.consents, (consent) => consent.subjectId);
  const templatesBySubject = groupBy(facts.templates, (template) => template.subjectId);

  const activeCameras = facts.cameras.filter((camera) => !camera.disabled);
  const frCameras = activeCameras.filter((camera) => camera.frEnabled);
  const frCameraEntryPoints = new Set(frCameras.map((camera) => camera.entryPointId));
  const frEntryPoints = facts.entryPoints.filter(
    (entryPoint) => entryPoint.faceRecognition || frCameraEntryPoints.has(entryPoint.id),
  );

  let activeNotice: NoticeFacts | null = null;
  for (const notice of facts.notices) if (!activeNotice || notice.version > activeNotice.version) activeNotice = notice;

  const consentedPurposes = new Set<Purpose>();
  for (const consent of facts.consents) if (isValidSeparateConsent(consent)) consentedPurposes.add(consent.purpose);

  const signFreshAfter = now.getTime() - settings.signVerificationMaxAgeDays * DAY_MS;
  const signedCameraIds = new Set<string>();
  const signedEntryPointIds = new Set<string>();
  for (const sign of facts.signs) {
    if (!sign.verifiedAt || sign.verifiedAt.getTime() < signFreshAfter) continue;
    for (const cameraId of sign.cameraIds) signedCameraIds.add(cameraId);
    for (const entryPointId of sign.entryPointIds) signedEntryPointIds.add(entryPointId);
  }
  for (const camera of activeCameras) {
    if (camera.entryPointId && signedEntryPointIds.has(camera.entryPointId)) signedCameraIds.add(camera.id);
  }

  const templatePurpose = (template: TemplateFacts): Purpose | null =>
    template.purpose ?? (template.consentId ? consentsById.get(template.consentId)?.purpose : undefined) ?? null;

  const coveringConsents = new Map<string, ConsentFacts | undefined>();
  const separateConsentFor = (template: TemplateFacts): ConsentFacts | undefined => {
    if (coveringConsents.has(template.id)) return coveringConsents.get(template.id);
    const purpose = templatePurpose(template);
    const covers = (consent: ConsentFacts) =>
      consent.subjectId === template.subjectId &&
      isValidSeparateConsent(consent) &&
      (purpose === null || consent.purpose === purpose);
    const linked = template.consentId ? consentsById.get(template.consentId) : undefined;
    const found = linked && covers(linked) ? linked : consentsBySubject.get(template.subjectId)?.find(covers);
    coveringConsents.set(template.id, found);
    return found;
  };

  const liveTemplates: TemplateFacts[] = [];
  const pendingDeletion = new Map<string, PendingDeletion>();
  for (const template of facts.templates) {
    const linked = template.consentId ? consentsById.get(template.consentId) : undefined;
    const withdrawnAt = linked?.withdrawnAt;
    const usedSinceWithdrawal = withdrawnAt && template.lastUsedAt && template.lastUsedAt > withdrawnAt;
    if (withdrawnAt && !usedSinceWithdrawal && !separateConsentFor(template)) {
      pendingDeletion.set(template.id, { template, withdrawnAt });
    } else if (template.deletionQueuedAt) {
      // Queued without a withdrawn consent in view (its consent record is gone): judged from the mark.
      pendingDeletion.set(template.id, { template, withdrawnAt: template.deletionQueuedAt });
    } else {
      liveTemplates.push(template);
    }
  }

  const dueDates = new Map<string, Date | null>();
  const requestDueAt = (request: RequestFacts): Date | null => {
    if (dueDates.has(request.id)) return dueDates.get(request.id) ?? null;
    const statutory = request.verifiedAt ? profile.requestDeadline(request.verifiedAt, request, settings) : null;
    const due = earlier(statutory, request.dueAt);
    dueDates.set(request.id, due);
    return due;
  };

  return {
    facts,
    subjectsById,
    entryPointsById,
    noticesById,
    consentsById,
    consentsBySubject,
    templatesBySubject,
    activeCameras,
    frCameras,
    frEntryPoints,
    frActive: frCameras.length > 0 || frEntryPoints.length > 0,
    activeNotice,
    consentedPurposes,
    signedCameraIds,
    liveTemplates,
    pendingDeletion,
    separateConsentFor,
    templatePurpose,
    requestDueAt,
  };
}

/** The earlier of two optional dates; null only if both are. */
function earlier(a: Date | null, b: Date | null): Date | null {
  if (!a || !b) return a ?? b;
  return a.getTime() <= b.getTime() ? a : b;
}

function byId<T extends { id: string }>(items: readonly T[]): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) map.set(item.id, item);
  return map;
}

/** Items by key, in their order. */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
