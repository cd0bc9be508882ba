import type { FindingCode } from "@consentry/compliance";

/**
 * Where each finding is fixed: the form (or the section holding it) that resolves it, by code,
 * so the compliance pages link straight to it. `Record<FindingCode, …>` makes a new code fail
 * the type check until it has a place; packages/api/src/remediation.test.ts resolves every code
 * the sample sites raise through the procedures these forms call.
 */
export type RemediationAction =
  | "entryPoint"
  | "camera"
  | "notice"
  | "noticeVersion"
  | "consent"
  | "transferConsent"
  | "guardianConsent"
  | "person"
  | "assessment"
  | "sign"
  | "retention"
  | "request"
  | "filing"
  | "auditChain"
  | "site";

/** What the pages know of a finding's target. Template targets may carry their person (see below). */
export interface RemediationTarget {
  type: string;
  id: string;
}

type Place = (target: RemediationTarget, siteId: string | null) => string;

const onSite =
  (anchor?: string): Place =>
  (_target, siteId) =>
    siteId ? `/sites/${siteId}${anchor ? `#${anchor}` : ""}` : "/sites";
const camera: Place = (target) => (target.type === "camera" ? `/cameras/${target.id}` : "/cameras");
const request: Place = (target) => (target.type === "request" ? `/requests/${target.id}` : "/requests");
/**
 * The person a finding is about: its subject, or a template's person when the engine names them
 * (`subjectId` on the target); otherwise the people list.
 */
const person: Place = (target) => {
  if (target.type === "subject") return `/people/${target.id}`;
  const subjectId = (target as { subjectId?: unknown }).subjectId;
  return typeof subjectId === "string" ? `/people/${subjectId}` : "/people";
};
const filing: Place = () => "/compliance#filing";
const auditChain: Place = () => "/audit-chain";

const at = (action: RemediationAction, place: Place) => ({ action, place });

const REMEDIATIONS: Record<FindingCode, { action: RemediationAction; place: Place }> = {
  "CN-FR-02.noPurpose": at("entryPoint", onSite("entry-points")),
  "CN-FR-02.noNecessityNote": at("entryPoint", onSite("entry-points")),
  "CN-FR-02.noPurposeOrNecessity": at("entryPoint", onSite("entry-points")),
  "CN-FR-02.noEntryPoint": at("camera", camera),
  "CN-FR-03.noticeIncomplete": at("notice", onSite("notices")),
  "CN-FR-03.noNotice": at("notice", onSite("notices")),
  "CN-FR-03.consentWithoutNoticeVersion": at("noticeVersion", person),
  "CN-FR-04.templateNoConsent": at("consent", person),
  "CN-FR-04.templateNoConsentNoPurpose": at("consent", person),
  "CN-FR-04.templateConsentWithdrawn": at("consent", person),
  "CN-FR-04.templatePurposeChanged": at("consent", person),
  "CN-FR-04.templateConsentNotSeparate": at("consent", person),
  "CN-FR-04.consentBundled": at("consent", person),
  "CN-FR-05.minorWithoutGuardianConsent": at("guardianConsent", person),
  "CN-FR-06.centralWithoutTransferConsent": at("transferConsent", person),
  "CN-FR-07.templatesOverdue": at("retention", onSite("retention")),
  "CN-FR-07.photosOverdue": at("retention", onSite("retention")),
  "CN-FR-07.eventsOverdue": at("retention", onSite("retention")),
  "CN-FR-07.retentionRunFailed": at("retention", onSite("retention")),
  "CN-FR-07.retentionNotRunning": at("retention", onSite("retention")),
  "CN-FR-08.assessmentMissing": at("assessment", onSite("assessments")),
  "CN-FR-08.assessmentOutdated": at("assessment", onSite("assessments")),
  "CN-FR-09.noAlternative": at("entryPoint", onSite("entry-points")),
  "CN-FR-11.faceIsDefault": at("entryPoint", onSite("entry-points")),
  "CN-FR-12.publicPlaceWithoutBasis": at("camera", camera),
  "CN-FR-12.publicPlaceNoPurpose": at("camera", camera),
  "CN-FR-12.captureAreaNotLimited": at("entryPoint", onSite("entry-points")),
  "CN-FR-13.frInPrivateSpace": at("camera", camera),
  "CN-CAM-01.cameraInPrivateSpace": at("camera", camera),
  "CN-CAM-02.signMissing": at("sign", onSite("signs")),
  "CN-CAM-02.cameraSignMissing": at("sign", onSite("signs")),
  "CN-FR-14.templateUnencrypted": at("person", person),
  "CN-FR-14.auditChainBroken": at("auditChain", auditChain),
  "CN-FR-15.filingOverdue": at("filing", filing),
  "CN-FR-15.filingDue": at("filing", filing),
  "CN-FR-15.filingApproaching": at("filing", filing),
  "CN-PI-03.requestNotCompleted": at("request", request),
  "CN-PI-03.templateKeptAfterWithdrawal": at("person", person),
  "CN-PI-03.photosKeptAfterWithdrawal": at("person", person),
  "CN-PI-06.refusalWithoutReason": at("request", request),
  "CN-DSR-SLA.requestOverdue": at("request", request),
  "CN-SITE-01.regionChanged": at("site", onSite()),
  "EU-09.templateNoConsent": at("consent", person),
  "EU-09.templateNoConsentNoPurpose": at("consent", person),
  "EU-09.templateConsentWithdrawn": at("consent", person),
  "EU-09.templatePurposeChanged": at("consent", person),
  "EU-09.templateConsentNotSeparate": at("consent", person),
  "EU-09.consentBundled": at("consent", person),
  "EU-SLA.requestOverdue": at("request", request),
  "EU-17.requestNotCompleted": at("request", request),
  "EU-17.templateKeptAfterWithdrawal": at("person", person),
  "EU-17.photosKeptAfterWithdrawal": at("person", person),
  "EU-35.assessmentMissing": at("assessment", onSite("assessments")),
  "EU-35.assessmentOutdated": at("assessment", onSite("assessments")),
  "IL-15a.noRetentionSchedule": at("retention", onSite("retention")),
  "IL-15a.templatesOverdue": at("retention", onSite("retention")),
  "IL-15a.retentionRunFailed": at("retention", onSite("retention")),
  "IL-15a.retentionNotRunning": at("retention", onSite("retention")),
  "IL-15a.lastInteractionExpired": at("person", person),
  "IL-15a.consentWithdrawn": at("person", person),
  "IL-15b.noWrittenRelease": at("consent", person),
};

/**
 * The form that fixes a finding and the link to it. Findings stored without a code (old
 * snapshots) or with a code this build does not know go to the site, or the thing they are about.
 */
export function remediationFor(
  finding: { code?: string; target: RemediationTarget },
  siteId: string | null,
): { action: RemediationAction; href: string } {
  const known = finding.code ? REMEDIATIONS[finding.code as FindingCode] : undefined;
  if (known) return { action: known.action, href: known.place(finding.target, siteId) };
  switch (finding.target.type) {
    case "camera":
      return { action: "camera", href: camera(finding.target, siteId) };
    case "subject":
    case "template":
      return { action: "person", href: person(finding.target, siteId) };
    case "request":
      return { action: "request", href: request(finding.target, siteId) };
    case "organization":
      return { action: "filing", href: filing(finding.target, siteId) };
    default:
      return { action: "site", href: onSite()(finding.target, siteId) };
  }
}

/**
 * Rules whose fix other forms wait for: face recognition on a camera and enrolment refuse to
 * start before the site has its impact assessment (CN-FR-08), and a consent can record the
 * notice shown only once the site has one (CN-FR-03). The compliance page lists them first.
 */
const FIX_FIRST: readonly string[] = ["CN-FR-08", "CN-FR-03"];

export const fixesFirst = (ruleId: string) => FIX_FIRST.includes(ruleId);

/** The rules in the order they can be fixed: prerequisites first, the rest as the engine gave them. */
export function inFixOrder<T extends { ruleId: string }>(rules: readonly T[]): T[] {
  const rank = (rule: T) => {
    const index = FIX_FIRST.indexOf(rule.ruleId);
    return index === -1 ? FIX_FIRST.length : index;
  };
  return [...rules].sort((a, b) => rank(a) - rank(b));
}
