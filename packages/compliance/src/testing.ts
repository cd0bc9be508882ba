// Fixture builders for the engine's tests and the API's integration tests
// (`import { compliantSite } from "@consentry/compliance/testing"`).
// Every builder returns something compliant, so a test states only what it changes.

import type { EvaluationContext } from "./evaluate";
import type {
  AssessmentFacts,
  CameraFacts,
  ConsentFacts,
  EntryPointFacts,
  NoticeFacts,
  OrganizationFacts,
  RequestFacts,
  SignFacts,
  SiteFacts,
  SiteInfo,
  SubjectFacts,
  TemplateFacts,
} from "./facts";
import type { Finding } from "./findings";

const DAY_MS = 86_400_000;

/** The fixtures' "now": Monday 16 June 2025, 10:00 in Shanghai (an ordinary working day). */
export const NOW = new Date("2025-06-16T02:00:00.000Z");

export const daysAgo = (days: number, from: Date = NOW) => new Date(from.getTime() - days * DAY_MS);
export const daysLater = (days: number, from: Date = NOW) => new Date(from.getTime() + days * DAY_MS);

let sequence = 0;
const nextId = (prefix: string) => `${prefix}-${++sequence}`;

export const camera = (overrides: Partial<CameraFacts> = {}): CameraFacts => ({
  id: nextId("cam"),
  name: "Lobby camera",
  locationType: "entrance",
  frEnabled: true,
  disabled: false,
  entryPointId: null,
  ...overrides,
});

export const entryPoint = (overrides: Partial<EntryPointFacts> = {}): EntryPointFacts => ({
  id: nextId("ep"),
  name: "Side door",
  purpose: "entry_verification",
  necessityNote: "Residents-only building; repeated tailgating incidents at this door.",
  faceRecognition: true,
  faceIsDefault: false,
  isPublicPlace: false,
  alternatives: ["key_card"],
  ...overrides,
});

export const sign = (overrides: Partial<SignFacts> = {}): SignFacts => ({
  id: nextId("sign"),
  location: "Beside the door, eye level",
  verifiedAt: daysAgo(10),
  cameraIds: [],
  entryPointIds: [],
  ...overrides,
});

export const notice = (overrides: Partial<NoticeFacts> = {}): NoticeFacts => ({
  id: nextId("notice"),
  version: 1,
  controller: "Harbour View Property Management Co., Ltd.",
  purpose: "Verifying residents at the building's doors.",
  method: "Face templates compared on the door terminal; no images are kept.",
  retention: "Until you move out or withdraw consent, at most 365 days without use.",
  rights: "Access, correction, deletion, withdrawal of consent at any time.",
  contact: "privacy@harbourview.example",
  ...overrides,
});

export const subject = (overrides: Partial<SubjectFacts> = {}): SubjectFacts => {
  const id = overrides.id ?? nextId("subj");
  return { id, pseudonym: `R-${id}`, isMinor: false, ...overrides };
};

export const consent = (overrides: Partial<ConsentFacts> & Pick<ConsentFacts, "subjectId">): ConsentFacts => ({
  id: nextId("consent"),
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

export const template = (overrides: Partial<TemplateFacts> & Pick<TemplateFacts, "subjectId">): TemplateFacts => ({
  id: nextId("tpl"),
  consentId: null,
  storage: "device",
  encrypted: true,
  createdAt: daysAgo(30),
  lastUsedAt: daysAgo(1),
  ...overrides,
});

/** A request answered on time: verified 20 days ago, completed 2 days later. */
export const dsrRequest = (overrides: Partial<RequestFacts> = {}): RequestFacts => ({
  id: nextId("req"),
  type: "access",
  status: "completed",
  verifiedAt: daysAgo(20),
  dueAt: null,
  closedAt: daysAgo(18),
  refusalReason: null,
  certificateIssuedAt: null,
  ...overrides,
});

export const assessment = (overrides: Partial<AssessmentFacts> = {}): AssessmentFacts => ({
  id: nextId("pipia"),
  completedAt: daysAgo(45),
  scope: "Face recognition at all doors of the site",
  ...overrides,
});

type Collections = Omit<SiteFacts, "site">;

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
  /** Extra facts appended to the site's lists. */
  add?: Partial<Collections>;
}

/**
 * A site that passes every rule of every profile: one FR entry point with a purpose, necessity note
 * and key-card alternative, its camera under a sign verified 10 days ago, a complete notice, one
 * adult resident with a separate consent (given after the notice) and an encrypted on-device
 * template, and an impact assessment newer than the last material change.
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

export interface GeneratedOrganizationSize {
  sites: number;
  camerasPerSite: number;
  /** One subject, consent and template each. */
  templatesPerSite: number;
  entryPointsPerSite?: number;
  requestsPerSite?: number;
}

/**
 * A large, compliant organisation for sanity and benchmark runs, e.g. 500 sites x 20 cameras x
 * 200 templates. Ids are unique across the organisation; the same size always gives the same facts.
 */
export function generateOrganization(size: GeneratedOrganizationSize, now: Date = NOW): OrganizationFacts {
  const entryPointsPerSite = size.entryPointsPerSite ?? 4;
  const requestsPerSite = size.requestsPerSite ?? 10;
  const ago = (days: number) => daysAgo(days, now);
  const sites: SiteFacts[] = [];
  for (let s = 0; s < size.sites; s++) {
    const siteId = `site-${s}`;
    const entryPoints: EntryPointFacts[] = [];
    const signs: SignFacts[] = [];
    for (let e = 0; e < entryPointsPerSite; e++) {
      const id = `${siteId}-ep-${e}`;
      entryPoints.push(entryPoint({ id, name: `Door ${e + 1}`, alternatives: ["key_card", "staff_check"] }));
      signs.push(sign({ id: `${siteId}-sign-${e}`, entryPointIds: [id], verifiedAt: ago(5) }));
    }
    const cameras: CameraFacts[] = [];
    for (let c = 0; c < size.camerasPerSite; c++) {
      cameras.push(
        camera({
          id: `${siteId}-cam-${c}`,
          name: `Camera ${c + 1}`,
          entryPointId: `${siteId}-ep-${c % entryPointsPerSite}`,
        }),
      );
    }
    const subjects: SubjectFacts[] = [];
    const consents: ConsentFacts[] = [];
    const templates: TemplateFacts[] = [];
    for (let t = 0; t < size.templatesPerSite; t++) {
      const subjectId = `${siteId}-subj-${t}`;
      subjects.push({ id: subjectId, pseudonym: `P-${s}-${t}`, isMinor: false });
      consents.push(
        consent({
          id: `${siteId}-consent-${t}`,
          subjectId,
          noticeId: `${siteId}-notice`,
          givenAt: ago(40 + (t % 200)),
        }),
      );
      templates.push(
        template({
          id: `${siteId}-tpl-${t}`,
          subjectId,
          consentId: `${siteId}-consent-${t}`,
          createdAt: ago(39 + (t % 200)),
          lastUsedAt: ago(t % 30),
        }),
      );
    }
    const requests: RequestFacts[] = [];
    for (let r = 0; r < requestsPerSite; r++) {
      requests.push(dsrRequest({ id: `${siteId}-req-${r}`, verifiedAt: ago(10 + r * 3), closedAt: ago(8 + r * 3) }));
    }
    sites.push({
      site: {
        id: siteId,
        name: `Site ${s + 1}`,
        kind: "residential",
        templateRetentionDays: 365,
        lastMaterialChangeAt: ago(100),
      },
      entryPoints,
      cameras,
      signs,
      notices: [notice({ id: `${siteId}-notice` })],
      subjects,
      consents,
      templates,
      requests,
      assessments: [assessment({ id: `${siteId}-pipia`, completedAt: ago(90) })],
    });
  }
  return {
    now,
    profile: "CN",
    organization: { id: "org-large", name: "Large Holdings", filing: null },
    sites,
    auditChainOk: true,
  };
}
