// What the engine reports: one finding per broken rule and thing it is about.

/** critical: unlawful now; high: fix before processing continues; medium: evidence missing or ageing; info: advice. */
export type Severity = "critical" | "high" | "medium" | "info";

export const SEVERITIES = ["critical", "high", "medium", "info"] as const satisfies readonly Severity[];

export type TargetType =
  | "site"
  | "camera"
  | "entryPoint"
  | "subject"
  | "sign"
  | "notice"
  | "template"
  | "request"
  | "organization";

export interface Target {
  type: TargetType;
  id: string;
  /** A name (site, camera, entry point), a reference, or a subject's pseudonym: never a person's name. */
  label: string;
  /**
   * When `label` is a sentence rather than a name, its shape for translation, as findings have
   * codes: the web app renders `targets.<code>` with `labelParams` (apps/web/messages); `label`
   * stays the English fallback (CSV, older snapshots).
   */
  labelCode?: TargetLabelCode;
  labelParams?: Record<string, string | number>;
  /** A template's person, so the live page links the finding to the person's record (never stored in snapshots). */
  subjectId?: string;
}

export const TARGET_LABEL_CODES = ["notice", "requestOfType", "unknownSubject", "template"] as const;
export type TargetLabelCode = (typeof TARGET_LABEL_CODES)[number];

/**
 * Every message shape the engine can produce, as `<ruleId>.<name>`: one code per distinct sentence
 * of `message` and `remediation`, whatever the params. The web app translates each code
 * (apps/web/messages/findings.*.json); `message` and `remediation` stay the English fallback.
 */
export const FINDING_CODES = [
  "CN-FR-02.noPurpose",
  "CN-FR-02.noNecessityNote",
  "CN-FR-02.noPurposeOrNecessity",
  "CN-FR-02.noEntryPoint",
  "CN-FR-03.noticeIncomplete",
  "CN-FR-03.noNotice",
  "CN-FR-03.consentWithoutNoticeVersion",
  "CN-FR-04.templateNoConsent",
  "CN-FR-04.templateNoConsentNoPurpose",
  "CN-FR-04.templateConsentWithdrawn",
  "CN-FR-04.templatePurposeChanged",
  "CN-FR-04.templateConsentNotSeparate",
  "CN-FR-04.consentBundled",
  "CN-FR-05.minorWithoutGuardianConsent",
  "CN-FR-06.centralWithoutTransferConsent",
  "CN-FR-07.templatesOverdue",
  "CN-FR-07.photosOverdue",
  "CN-FR-07.eventsOverdue",
  "CN-FR-07.retentionRunFailed",
  "CN-FR-07.retentionNotRunning",
  "CN-FR-08.assessmentMissing",
  "CN-FR-08.assessmentOutdated",
  "CN-FR-09.noAlternative",
  "CN-FR-11.faceIsDefault",
  "CN-FR-12.publicPlaceWithoutBasis",
  "CN-FR-12.publicPlaceNoPurpose",
  "CN-FR-12.captureAreaNotLimited",
  "CN-FR-13.frInPrivateSpace",
  "CN-CAM-01.cameraInPrivateSpace",
  "CN-CAM-02.signMissing",
  "CN-CAM-02.cameraSignMissing",
  "CN-FR-14.templateUnencrypted",
  "CN-FR-14.auditChainBroken",
  "CN-FR-15.filingOverdue",
  "CN-FR-15.filingDue",
  "CN-FR-15.filingApproaching",
  "CN-PI-03.requestNotCompleted",
  "CN-PI-03.templateKeptAfterWithdrawal",
  "CN-PI-03.photosKeptAfterWithdrawal",
  "CN-PI-06.refusalWithoutReason",
  "CN-DSR-SLA.requestOverdue",
  "CN-SITE-01.regionChanged",
  "EU-09.templateNoConsent",
  "EU-09.templateNoConsentNoPurpose",
  "EU-09.templateConsentWithdrawn",
  "EU-09.templatePurposeChanged",
  "EU-09.templateConsentNotSeparate",
  "EU-09.consentBundled",
  "EU-SLA.requestOverdue",
  "EU-17.requestNotCompleted",
  "EU-17.templateKeptAfterWithdrawal",
  "EU-17.photosKeptAfterWithdrawal",
  "EU-35.assessmentMissing",
  "EU-35.assessmentOutdated",
  "IL-15a.noRetentionSchedule",
  "IL-15a.templatesOverdue",
  "IL-15a.retentionRunFailed",
  "IL-15a.retentionNotRunning",
  "IL-15a.lastInteractionExpired",
  "IL-15a.consentWithdrawn",
  "IL-15b.noWrittenRelease",
] as const;

export type FindingCode = (typeof FINDING_CODES)[number];

/**
 * The values a code's sentences are built from, plain so they can be stored and translated:
 * names and pseudonyms as written, counts and days as numbers, dates as YYYY-MM-DD, and enum values
 * raw (see FINDING_ENUM_PARAMS) so the UI can translate them.
 */
export type FindingParams = Record<string, string | number>;

/**
 * Params holding enum values, and the enum each belongs to. `fields` is a list of notice fields
 * joined with ", ". The UI translates these before inserting them into a translated message.
 */
export const FINDING_ENUM_PARAMS = {
  purpose: "purpose",
  consentPurpose: "purpose",
  requestType: "requestType",
  locationType: "locationType",
  fields: "noticeField",
} as const;

export interface Finding {
  /** Stable id from COMPLIANCE_RULES.md, e.g. "CN-FR-04". */
  ruleId: string;
  /** Which sentence `message` and `remediation` are: `<ruleId>.<name>`, for translation. */
  code: FindingCode;
  /** The values inserted into the code's sentences. */
  params: FindingParams;
  severity: Severity;
  target: Target;
  /** Why, in a sentence an operator understands (English; the fallback where `code` is not translated). */
  message: string;
  remediation: string;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, info: 3 };

/** Worst first; ties by rule id, then target, so the order is stable for snapshots and diffs. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.target.type, b.target.type) ||
    compareText(a.target.id, b.target.id)
  );
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
