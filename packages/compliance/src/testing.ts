// Fixture builders for the engine's tests and the API's integration tests
// (`import { compliantSite } from "@consentry/compliance/testing"`).
// Every builder returns something compliant, so a test states only what it changes.

import { createRuleContext, type EvaluationContext, evaluateOrganization, evaluateSite } from "./evaluate";
import type {
  AssessmentFacts,
  CameraFacts,
  ConsentFacts,
  EngineSettings,
  EntryPointFacts,
  NoticeFacts,
  OrganizationFacts,
  ProfileId,
  RequestFacts,
  SignFacts,
  SiteFacts,
  SiteInfo,
  SubjectFacts,
  TemplateFacts,
} from "./facts";
import type { Finding } from "./findings";
import { cnFr15 } from "./rules/cn-fr-15";

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

/** A site that breaks rules, and the settings to evaluate it under. */
export interface BrokenSiteSample {
  site: SiteFacts;
  settings?: Partial<EngineSettings>;
}

/**
 * Sites that between them break every rule of every profile in every way the engine words
 * differently, most of them several times with different values (names, purposes, days, dates):
 * the cases of the rule tests, gathered in one place.
 */
export function brokenSiteSamples(): BrokenSiteSample[] {
  const years = (n: number) => daysAgo(n * 365.25);
  const withoutConsents = (site: SiteFacts): SiteFacts => ({ ...site, consents: [] });
  const sites: (SiteFacts | BrokenSiteSample)[] = [
    // CN-FR-02
    compliantSite({ entryPoint: { necessityNote: "  " } }),
    compliantSite({ entryPoint: { name: "North gate", purpose: null }, camera: { name: "North gate camera" } }),
    compliantSite({ entryPoint: { purpose: null, necessityNote: null } }),
    compliantSite({ camera: { entryPointId: null, name: "Car park camera" } }),
    // CN-FR-03, IL-15a's schedule, IL-15b
    compliantSite({ notice: { rights: "", contact: " " } }),
    compliantSite({ notice: { version: 3, controller: "", method: "", retention: "" } }),
    compliantSite({ consent: { noticeId: null } }),
    compliantSite({ entryPoint: { purpose: "check_in" }, consent: { noticeId: null, purpose: "check_in" } }),
    { ...compliantSite(), notices: [] },
    // CN-FR-04, EU-09
    withoutConsents(compliantSite({ template: { consentId: null } })),
    withoutConsents(compliantSite({ template: { consentId: null, purpose: "payment" } })),
    compliantSite({ consent: { isBundled: true } }),
    compliantSite({ entryPoint: { purpose: "check_in" }, consent: { isBundled: true, purpose: "check_in" } }),
    compliantSite({ template: { purpose: "payment" } }),
    compliantSite({
      entryPoint: { purpose: "check_in" },
      consent: { purpose: "check_in" },
      template: { purpose: "monitoring" },
    }),
    compliantSite({ consent: { withdrawnAt: daysAgo(5) }, template: { lastUsedAt: daysAgo(1) } }),
    // CN-FR-05
    compliantSite({ subject: { isMinor: true } }),
    compliantSite({ subject: { pseudonym: "R-0042", birthYear: NOW.getUTCFullYear() - 14 } }),
    // CN-FR-06
    compliantSite({ template: { storage: "central" }, consent: { scopes: ["recognition", "central_storage"] } }),
    // CN-FR-07, IL-15a
    compliantSite({ template: { createdAt: daysAgo(366) } }),
    compliantSite({ site: { templateRetentionDays: 90 }, template: { createdAt: daysAgo(100) } }),
    compliantSite({ template: { lastUsedAt: daysAgo(181), createdAt: daysAgo(300) } }),
    {
      site: compliantSite({ template: { lastUsedAt: null, createdAt: daysAgo(130) } }),
      settings: { templateUnusedGraceDays: 120 },
    },
    // CN-FR-08, EU-35
    compliantSite({ assessment: null }),
    compliantSite({ assessment: { completedAt: daysAgo(90) }, site: { lastMaterialChangeAt: daysAgo(60) } }),
    // CN-FR-09, CN-FR-11
    compliantSite({ entryPoint: { alternatives: [] } }),
    compliantSite({ entryPoint: { name: "Garage ramp", alternatives: [], faceIsDefault: true } }),
    compliantSite({ entryPoint: { faceIsDefault: true } }),
    // CN-FR-12
    compliantSite({ entryPoint: { isPublicPlace: true, purpose: "check_in" } }),
    compliantSite({ site: { isPublicPlace: true }, entryPoint: { purpose: "monitoring" } }),
    compliantSite({ site: { isPublicPlace: true }, camera: { entryPointId: null } }),
    // CN-FR-13, CN-CAM-01
    compliantSite({ camera: { locationType: "changing_room" } }),
    compliantSite({
      add: {
        cameras: [
          camera({ name: "WC", locationType: "public_toilet", frEnabled: false, disabled: true }),
          camera({ name: "Room 1203", locationType: "hotel_room", entryPointId: null }),
        ],
      },
    }),
    // CN-CAM-02
    compliantSite({ sign: { verifiedAt: daysAgo(91) } }),
    { site: compliantSite({ sign: { verifiedAt: daysAgo(45) } }), settings: { signVerificationMaxAgeDays: 30 } },
    // CN-FR-14
    compliantSite({ template: { encrypted: false } }),
    // CN-PI-03, EU-17, CN-PI-06, CN-DSR-SLA, EU-SLA
    compliantSite({
      add: {
        requests: [
          dsrRequest({
            reference: "DSR-7Q2K",
            type: "deletion",
            status: "approved",
            verifiedAt: new Date("2025-05-07T02:00:00Z"),
            closedAt: null,
          }),
          dsrRequest({
            type: "withdrawal",
            status: "in_progress",
            verifiedAt: new Date("2025-04-21T02:00:00Z"),
            closedAt: null,
          }),
          dsrRequest({ status: "refused", refusalReason: " " }),
          dsrRequest({ type: "correction", status: "refused", refusalReason: null }),
          dsrRequest({ status: "in_progress", verifiedAt: new Date("2025-05-12T02:00:00Z"), closedAt: null }),
        ],
      },
    }),
    {
      site: compliantSite({
        add: {
          requests: [dsrRequest({ status: "open", verifiedAt: new Date("2025-06-05T02:00:00Z"), closedAt: null })],
        },
      }),
      settings: { dsrWorkingDays: 5 },
    },
    compliantSite({ consent: { withdrawnAt: daysAgo(40) }, template: { lastUsedAt: daysAgo(41) } }),
    // IL-15a, IL-15b
    compliantSite({
      site: { templateRetentionDays: 5000 },
      template: { createdAt: years(4), lastUsedAt: daysAgo(3 * 365.25 + 2) },
    }),
    compliantSite({ consent: { givenAt: daysAgo(10) }, template: { createdAt: daysAgo(30) } }),
  ];
  return sites.map((sample) => ("cameras" in sample ? { site: sample } : sample));
}

/**
 * Every finding the samples produce: each broken site under every profile, a broken audit chain,
 * and filing counts from approaching to overdue. Covers every code in FINDING_CODES.
 */
export function sampleFindings(): Finding[] {
  const findings: Finding[] = [];
  const samples = brokenSiteSamples();
  for (const profile of ["CN", "EU", "US-IL"] as const satisfies readonly ProfileId[]) {
    for (const { site, settings } of samples) {
      findings.push(...evaluateSite(site, evaluationContext({ profile, settings })).findings);
    }
  }
  findings.push(...evaluateOrganization(organizationFacts({ auditChainOk: false })).findings);
  const context = createRuleContext(evaluationContext());
  const filings: [subjects: number, thresholdReachedAt: string | null][] = [
    [80_000, null],
    [95_500, null],
    [100_000, "2025-06-10T02:00:00Z"],
    [123_456, "2025-06-12T02:00:00Z"],
    [100_000, "2025-04-01T02:00:00Z"],
    [150_000, "2025-03-03T02:00:00Z"],
  ];
  for (const [subjectsWithTemplates, reachedAt] of filings) {
    const facts = organizationFacts({
      organization: {
        filing: {
          thresholdReachedAt: reachedAt ? new Date(reachedAt) : null,
          filedAt: null,
          reference: null,
          deregisteredAt: null,
        },
      },
    });
    findings.push(...cnFr15.check({ facts, subjectsWithTemplates }, context));
  }
  return findings;
}

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
