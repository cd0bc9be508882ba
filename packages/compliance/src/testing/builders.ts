// Fixture builders: every builder returns something compliant, so a test states only what it changes.

import type { EvaluationContext } from "../evaluate";
import type {
  AssessmentFacts,
  CameraFacts,
  ConsentFacts,
  EntryPointFacts,
  NoticeFacts,
  OrganizationFacts,
  RequestFacts,
  RetentionFacts,
  RetentionRunFacts,
  SignFacts,
  SiteFacts,
  SiteInfo,
  SubjectFacts,
  TemplateFacts,
} from "../facts";
import type { Finding } from "../findings";

const DAY_MS = 86_400_000;

/** The fixtures' "now": Monday 16 June 2025, 10:00 in Shanghai (an ordinary working day). */
export const NOW = new Date("2025-06-16T02:00:00.000Z");

export const daysAgo = (days: number, from: Date = NOW) => new Date(from.getTime() - days * DAY_MS);
export const daysLater = (days: number, from: Date = NOW) => new Date(from.getTime() + days * DAY_MS);

// Ids: a builder given no `id` derives one from what names the fact (a camera's name, a
// consent's person and purpose, …), so a call gives the same id whatever ran before it. Give ids
// yourself where two facts of one kind would otherwise look alike.

/** "Main gate camera" -> "main-gate-camera". */
const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "") || "unnamed";
const idOf = (prefix: string, ...parts: string[]) => [prefix, ...parts.map(slug)].join("-");
const dayOf = (date: Date | null) => (date ? date.toISOString().slice(0, 10) : "unverified");

/** A camera, "cam-<name>" unless given an id. */
export const camera = (overrides: Partial<CameraFacts> = {}): CameraFacts => {
  const { name = "Lobby camera" } = overrides;
  return {
    id: idOf("cam", name),
    name,
    locationType: "entrance",
    frEnabled: true,
    disabled: false,
    entryPointId: null,
    ...overrides,
  };
};

/** An entry point, "ep-<name>" unless given an id. */
export const entryPoint = (overrides: Partial<EntryPointFacts> = {}): EntryPointFacts => {
  const { name = "Side door" } = overrides;
  return {
    id: idOf("ep", name),
    name,
    purpose: "entry_verification",
    necessityNote: "Residents-only building; repeated tailgating incidents at this door.",
    faceRecognition: true,
    faceIsDefault: false,
    isPublicPlace: false,
    captureAreaNote: null,
    alternatives: ["key_card"],
    ...overrides,
  };
};

/** A sign, "sign-<location>" unless given an id. */
export const sign = (overrides: Partial<SignFacts> = {}): SignFacts => {
  const { location = "Beside the door, eye level" } = overrides;
  return {
    id: idOf("sign", location),
    location,
    verifiedAt: daysAgo(10),
    cameraIds: [],
    entryPointIds: [],
    ...overrides,
  };
};

/** A complete notice, "notice-v<version>" unless given an id. */
export const notice = (overrides: Partial<NoticeFacts> = {}): NoticeFacts => ({
  id: `notice-v${overrides.version ?? 1}`,
  version: 1,
  controller: "Harbour View Property Management Co., Ltd.",
  purpose: "Verifying residents at the building's doors.",
  method: "Face templates compared on the door terminal; no images are kept.",
  retention: "Until you move out or withdraw consent, at most 365 days without use.",
  rights: "Access, correction, deletion, withdrawal of consent at any time.",
  contact: "privacy@harbourview.example",
  ...overrides,
});

/** An adult: "subj-<pseudonym>" unless given an id, "R-<id>" unless given a pseudonym ("subj-resident" with neither). */
export const subject = (overrides: Partial<SubjectFacts> = {}): SubjectFacts => {
  const id = overrides.id ?? (overrides.pseudonym ? idOf("subj", overrides.pseudonym) : "subj-resident");
  return { id, pseudonym: `R-${id}`, isMinor: false, ...overrides };
};

/** A separate recognition consent given 31 days ago, "consent-<subject>-<purpose>" unless given an id. */
export const consent = (overrides: Partial<ConsentFacts> & Pick<ConsentFacts, "subjectId">): ConsentFacts => ({
  id: idOf("consent", overrides.subjectId, overrides.purpose ?? "entry_verification"),
  purpose: "entry_verification",
  scopes: ["recognition"],
  isSeparate: true,
  isBundled: false,
  noticeId: null,
  guardianConsentAt: null,
  givenAt: daysAgo(31),
  withdrawnAt: null,
  ...overrides,
});

/** An encrypted on-device template, "tpl-<subject>" unless given an id. */
export const template = (overrides: Partial<TemplateFacts> & Pick<TemplateFacts, "subjectId">): TemplateFacts => ({
  id: idOf("tpl", overrides.subjectId),
  consentId: null,
  storage: "device",
  encrypted: true,
  createdAt: daysAgo(30),
  lastUsedAt: daysAgo(1),
  ...overrides,
});

/**
 * A request answered on time: verified 20 days ago, completed 2 days later. Unless given an id,
 * "req-<reference>", or without one "req-<type>-<status>-<day verified or 'unverified'>".
 */
export const dsrRequest = (overrides: Partial<RequestFacts> = {}): RequestFacts => {
  const { reference, type = "access", status = "completed", verifiedAt = daysAgo(20) } = overrides;
  return {
    id: reference ? idOf("req", reference) : idOf("req", type, status, dayOf(verifiedAt)),
    type,
    status,
    verifiedAt,
    dueAt: null,
    closedAt: daysAgo(18),
    refusalReason: null,
    certificateIssuedAt: null,
    ...overrides,
  };
};

/** An impact assessment completed 45 days ago, "pipia-<day completed>" unless given an id. */
export const assessment = (overrides: Partial<AssessmentFacts> = {}): AssessmentFacts => {
  const { completedAt = daysAgo(45) } = overrides;
  return {
    id: idOf("pipia", dayOf(completedAt)),
    completedAt,
    scope: "Face recognition at all doors of the site",
    ...overrides,
  };
};

/** A retention run that completed 20 minutes before `now`, as the hourly job leaves it. */
export const retentionRun = (overrides: Partial<RetentionRunFacts> = {}): RetentionRunFacts => ({
  status: "completed",
  startedAt: new Date(NOW.getTime() - 21 * 60_000),
  finishedAt: new Date(NOW.getTime() - 20 * 60_000),
  ...overrides,
});

/** Nothing due, and the job ran recently. */
export const retentionFacts = (overrides: Partial<RetentionFacts> = {}): RetentionFacts => ({
  due: {},
  overdue: {},
  lastRun: retentionRun(),
  ...overrides,
});

type Collections = Omit<SiteFacts, "site" | "retention">;

export interface CompliantSiteOverrides {
  site?: Partial<SiteInfo>;
  /** The main entry point, "ep-main". */
  entryPoint?: Partial<EntryPointFacts>;
  /** The main gate's camera, "cam-main". */
  camera?: Partial<CameraFacts>;
  /** The sign covering the main entry point, "sign-main". */
  sign?: Partial<SignFacts>;
  /** The active notice, "notice-1". */
  notice?: Partial<NoticeFacts>;
  /** The enrolled resident, "subj-1" (pseudonym "R-0001"). */
  subject?: Partial<SubjectFacts>;
  /** The resident's consent, "consent-1". */
  consent?: Partial<ConsentFacts>;
  /** The resident's template, "tpl-1". */
  template?: Partial<TemplateFacts>;
  /** The site's impact assessment, "pipia-1"; null for none. */
  assessment?: Partial<AssessmentFacts> | null;
  /** What the retention job has left to do; by default nothing, after a run 20 minutes ago. */
  retention?: Partial<RetentionFacts>;
  /** Extra facts appended to the site's lists. */
  add?: Partial<Collections>;
}

/**
 * A site that passes every rule of every profile: one FR entry point with a purpose, necessity note
 * and key-card alternative, its camera under a sign verified 10 days ago, a complete notice, one
 * adult resident with a separate consent (given after the notice) and an encrypted on-device
 * template, an impact assessment newer than the last material change, and a retention job that
 * ran 20 minutes ago with nothing left due.
 */
export function compliantSite(overrides: CompliantSiteOverrides = {}): SiteFacts {
  const add = overrides.add ?? {};
  const assessments = overrides.assessment === null ? [] : [assessment({ id: "pipia-1", ...overrides.assessment })];
  return {
    site: {
      id: "site-1",
      name: "Harbour View Residences",
      kind: "residential",
      templateRetentionDays: 365,
      lastMaterialChangeAt: daysAgo(60),
      ...overrides.site,
    },
    entryPoints: [
      entryPoint({ id: "ep-main", name: "Main gate", ...overrides.entryPoint }),
      ...(add.entryPoints ?? []),
    ],
    cameras: [
      camera({ id: "cam-main", name: "Main gate camera", entryPointId: "ep-main", ...overrides.camera }),
      ...(add.cameras ?? []),
    ],
    signs: [
      sign({ id: "sign-main", location: "Main gate", entryPointIds: ["ep-main"], ...overrides.sign }),
      ...(add.signs ?? []),
    ],
    notices: [notice({ id: "notice-1", ...overrides.notice }), ...(add.notices ?? [])],
    subjects: [subject({ id: "subj-1", pseudonym: "R-0001", ...overrides.subject }), ...(add.subjects ?? [])],
    consents: [
      consent({ id: "consent-1", subjectId: "subj-1", noticeId: "notice-1", ...overrides.consent }),
      ...(add.consents ?? []),
    ],
    templates: [
      template({ id: "tpl-1", subjectId: "subj-1", consentId: "consent-1", ...overrides.template }),
      ...(add.templates ?? []),
    ],
    requests: add.requests ?? [],
    assessments: [...assessments, ...(add.assessments ?? [])],
    photos: add.photos ?? [],
    retention: retentionFacts(overrides.retention),
  };
}

/** An organisation with one compliant site, evaluated under CN at NOW. */
export function organizationFacts(
  overrides: Partial<Omit<OrganizationFacts, "organization">> & {
    organization?: Partial<OrganizationFacts["organization"]>;
  } = {},
): OrganizationFacts {
  const { organization, ...rest } = overrides;
  return {
    now: NOW,
    profile: "CN",
    sites: [compliantSite()],
    auditChainOk: true,
    ...rest,
    organization: { id: "org-1", name: "Harbour Holdings", filing: null, ...organization },
  };
}

export const evaluationContext = (overrides: Partial<EvaluationContext> = {}): EvaluationContext => ({
  now: NOW,
  profile: "CN",
  ...overrides,
});

export const findingsFor = (result: { findings: Finding[] }, ruleId: string) =>
  result.findings.filter((finding) => finding.ruleId === ruleId);
