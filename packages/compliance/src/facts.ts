// The input of the rules engine: facts about ONE organisation at one instant (`now`).
// The API loads them from the database; the engine never reads a clock, a file or a database.

/** Jurisdiction profiles (COMPLIANCE_RULES.md): the set of rules an organisation is held to. */
export type ProfileId = "CN" | "EU" | "US-IL";

/** Why face recognition runs at an entry point (the database's entry_purpose enum). */
export type Purpose = "entry_verification" | "check_in" | "payment" | "monitoring" | "public_security" | (string & {});

/** What a consent allows: matching at all, keeping the template off the device, sending it over a network. */
export type ConsentScope = "recognition" | "central_storage" | "transfer";

export type AlternativeMethod = "key_card" | "pin" | "qr" | "staff_check" | "id_document" | "other";

export type RequestType = "deletion" | "access" | "withdrawal" | "correction";

export type RequestStatus = "pending_verification" | "open" | "in_progress" | "approved" | "refused" | "completed";

export interface OrganizationFacts {
  /** The instant the evaluation is for; every age and deadline is measured against it. */
  now: Date;
  profile: ProfileId;
  organization: {
    id: string;
    name: string;
    /** The organisation's filing with the provincial cyberspace office (CN-FR-15); null if none was ever started. */
    filing: FilingFacts | null;
  };
  sites: SiteFacts[];
  /**
   * Distinct people holding a template at these sites, when sites leave templates out
   * (`SiteFacts.settledTemplates`); absent: counted from the listed templates (CN-FR-15).
   */
  subjectsWithTemplates?: number;
  /** Result of the latest audit-chain verification (CN-FR-14). */
  auditChainOk: boolean;
  settings?: Partial<EngineSettings>;
}

export interface FilingFacts {
  /** When distinct subjects with templates first reached the threshold; starts the 30-working-day clock. */
  thresholdReachedAt: Date | null;
  filedAt: Date | null;
  /** Reference number issued by the cyberspace office. */
  reference: string | null;
  /** When the filing was withdrawn because processing stopped; a deregistered filing no longer counts. */
  deregisteredAt: Date | null;
}

export interface EngineSettings {
  /** A sign counts for CN-CAM-02 only if verified within this many days. */
  signVerificationMaxAgeDays: number;
  /** Working days to answer a verified request (CN-DSR-SLA) and to delete after withdrawal (CN-PI-03). */
  dsrWorkingDays: number;
  /**
   * Where a deadline's "day" ends. Defaults per profile: Asia/Shanghai (CN), Europe/Brussels (EU),
   * America/Chicago (US-IL). Chinese working days are always Shanghai calendar days.
   */
  timeZone?: string;
}

export const DEFAULT_SETTINGS = {
  signVerificationMaxAgeDays: 90,
  dsrWorkingDays: 15,
} as const satisfies EngineSettings;

/** Everything the engine knows about one site. Ids are unique within the organisation. */
export interface SiteFacts {
  site: SiteInfo;
  cameras: CameraFacts[];
  entryPoints: EntryPointFacts[];
  signs: SignFacts[];
  /** Every published version of the site's privacy notice; the highest version is the active one. */
  notices: NoticeFacts[];
  /** The subjects the site's consents, templates and requests refer to. */
  subjects: SubjectFacts[];
  consents: ConsentFacts[];
  templates: TemplateFacts[];
  /**
   * Templates held here but not listed in `templates`, because the loader found that no rule can
   * report them or their person (packages/core/src/compliance/people.ts): each counts as a
   * template held and as validly consented. Absent: every template is listed.
   */
  settledTemplates?: number;
  requests: RequestFacts[];
  /** Impact assessments covering the site (PIPIA in China, DPIA under GDPR). */
  assessments: AssessmentFacts[];
  /** Enrolment photos still stored, counted per consent their enrolment was made under (CN-PI-03). */
  photos?: PhotoFacts[];
  /** What the retention job has to delete here and whether it runs (CN-FR-07, IL-15a); absent: not judged. */
  retention?: RetentionFacts;
}

/** How many enrolment photos of one subject, taken under one consent, are still stored. */
export interface PhotoFacts {
  subjectId: string;
  /** The consent of the enrolment the photos belong to; null if that consent record is gone. */
  consentId: string | null;
  count: number;
}

/** The kinds of data the retention job deletes when their period ends (packages/core/src/retention). */
export type RetentionCountKind =
  | "templates"
  | "recognition_events"
  | "unknown_face_counts"
  | "enrolment_photos"
  | "camera_status_history"
  | "portal_requests"
  | "portal_contact"
  | "unverified_requests";

/** Items per kind; a missing kind counts as 0. */
export type RetentionCounts = Partial<Record<RetentionCountKind, number>>;

export interface RetentionRunFacts {
  status: "running" | "completed" | "failed" | "interrupted";
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * The system deletes what is due itself (the hourly `retention` job), so a rule fires only where
 * that has visibly not happened: data still stored well after its due time, or a job that failed
 * or stopped while data is due.
 */
export interface RetentionFacts {
  /** Past its retention period at `now` and still stored. */
  due: RetentionCounts;
  /** Past its retention period for more than RETENTION_OVERDUE_HOURS and still stored (two hourly runs missed it). */
  overdue: RetentionCounts;
  /** The installation's latest retention run (one job serves every site); null if none ever ran. */
  lastRun: RetentionRunFacts | null;
}

export interface SiteInfo {
  id: string;
  name: string;
  /** residential | hotel | office | retail | other */
  kind: string;
  /** The whole site is a public place (Measures Art. 13); entry points can also be public on their own. */
  isPublicPlace?: boolean;
  /** How long a template is kept after its last use (or its creation if never used) (CN-FR-07, IL-15a). */
  templateRetentionDays: number;
  /** Last change that requires a new impact assessment (new purpose, FR switched on, cameras added). */
  lastMaterialChangeAt: Date | null;
  /** Moves of the site between region codes (GB/T 2260), oldest first (CN-SITE-01). */
  regionChanges?: RegionChangeFacts[];
}

export interface RegionChangeFacts {
  at: Date;
  fromRegion: string;
  toRegion: string;
}

export interface CameraFacts {
  id: string;
  name: string;
  /** One of the database's camera location types; private spaces are listed in PRIVATE_SPACES. */
  locationType: string;
  frEnabled: boolean;
  /** Switched off by an operator; a disabled camera does not process faces but is still installed. */
  disabled: boolean;
  /** The entry point the camera serves; its purpose is the camera's purpose. */
  entryPointId: string | null;
}

export interface EntryPointFacts {
  id: string;
  name: string;
  purpose: Purpose | null;
  /** Why face recognition is necessary here (CN-FR-02). */
  necessityNote: string | null;
  faceRecognition: boolean;
  /** Face is pre-selected instead of offered beside the alternatives (CN-FR-11). */
  faceIsDefault: boolean;
  isPublicPlace: boolean;
  /** How the capture area is limited, for public-security face recognition in a public place (CN-FR-12). */
  captureAreaNote?: string | null;
  /** Other ways in for people who refuse face recognition (CN-FR-09). */
  alternatives: string[];
}

export interface SignFacts {
  id: string;
  /** Where the sign hangs, e.g. "North gate, left pillar". */
  location: string;
  /** Last time someone checked the sign is in place (photo evidence); null if never. */
  verifiedAt: Date | null;
  cameraIds: string[];
  /** A sign at an entry point covers every camera serving that entry point. */
  entryPointIds: string[];
}

export interface NoticeFacts {
  id: string;
  version: number;
  /** The six fields CN-FR-03 requires; an empty or blank string counts as missing. */
  controller: string;
  purpose: string;
  method: string;
  retention: string;
  rights: string;
  contact: string;
}

export interface SubjectFacts {
  id: string;
  /** The only way findings name a person. */
  pseudonym: string;
  isMinor: boolean;
  /** If known; a subject who may still be under 14 this year counts as a minor (CN-FR-05). */
  birthYear?: number | null;
}

export interface ConsentFacts {
  id: string;
  subjectId: string;
  purpose: Purpose;
  scopes: ConsentScope[];
  /** Given on its own, not as part of other terms (CN-FR-04). */
  isSeparate: boolean;
  isBundled: boolean;
  /** The notice version the subject saw; null if not recorded (CN-FR-03). */
  noticeId: string | null;
  /** When a parent or guardian consented for a child under 14 (CN-FR-05). */
  guardianConsentAt: Date | null;
  givenAt: Date;
  withdrawnAt: Date | null;
}

export interface TemplateFacts {
  id: string;
  subjectId: string;
  /** The consent the template was enrolled under. */
  consentId: string | null;
  /** What the template is used for now; defaults to its consent's purpose. Differs after a change of purpose. */
  purpose?: Purpose | null;
  storage: "device" | "central";
  encrypted: boolean;
  createdAt: Date;
  /** Last successful match; null if never used. */
  lastUsedAt: Date | null;
  /** Marked for deletion (a withdrawal or an erasure): in no gallery, waiting for its job. */
  deletionQueuedAt?: Date | null;
}

export interface RequestFacts {
  id: string;
  /** Public reference code shown to the requester; used as the finding's label when present. */
  reference?: string;
  type: RequestType;
  status: RequestStatus;
  /** Identity verified: the statutory clock starts here. */
  verifiedAt: Date | null;
  /** Due date recorded by the API; the engine holds the request to the earlier of this and the statutory deadline. */
  dueAt: Date | null;
  closedAt: Date | null;
  refusalReason: string | null;
  /** Deletion certificate issued (CN-PI-03, EU-17). */
  certificateIssuedAt: Date | null;
  /** GDPR Art. 12(3): requester told within the first month that the answer takes up to two more months. */
  extensionNotifiedAt?: Date | null;
}

export interface AssessmentFacts {
  id: string;
  completedAt: Date;
  /** What the assessment covers, as written by its author. */
  scope: string;
}
