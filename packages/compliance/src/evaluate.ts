// The engine's entry points: facts in, findings, coverage and scores out. Pure and synchronous.
import type { EngineSettings, OrganizationFacts, ProfileId, RequestFacts, SiteFacts } from "./facts";
import { DEFAULT_SETTINGS } from "./facts";
import { type FilingSummary, summarizeFiling } from "./filing";
import { compareFindings, type Finding } from "./findings";
import { PROFILES } from "./profiles";
import type { OrganizationIndex, Profile, RuleContext } from "./rules/rule";
import { scoreFindings } from "./score";
import { indexSite, type SiteIndex } from "./site-index";

/** Shares from 0 to 1; null when there is nothing to measure (no FR camera, no template, …). */
export interface Coverage {
  /** FR cameras covered by a sign verified within the max age / FR cameras. */
  signage: number | null;
  /** Cameras in use (FR or not) covered by such a sign / cameras in use (CN-CAM-02, catalogue v2). */
  signageAllCameras: number | null;
  /** Templates with a valid consent (per the profile) / templates. */
  consent: number | null;
  /** FR entry points with at least one alternative / FR entry points. */
  alternatives: number | null;
  /** Requests closed by their deadline / closed requests that had a deadline. */
  requestsOnTime: number | null;
}

export interface SiteEvaluation {
  siteId: string;
  /** Worst first. */
  findings: Finding[];
  coverage: Coverage;
  /** 0..100; at most 40 while any finding is critical (see score.ts for the weights). */
  score: number;
}

export interface OrganizationEvaluation {
  organizationId: string;
  profile: ProfileId;
  evaluatedAt: Date;
  sites: SiteEvaluation[];
  filing: FilingSummary;
  /** Lowest score (then most critical findings, then most findings); null without sites. */
  worstSiteId: string | null;
  /** Organisation-level findings (filing, audit chain), worst first. */
  findings: Finding[];
}

/** The instant, profile and settings to evaluate under; a RuleContext fits too. */
export interface EvaluationContext {
  now: Date;
  profile: ProfileId | Profile;
  settings?: Partial<EngineSettings>;
}

/** Resolves the profile id and fills in default settings. */
export function createRuleContext({ now, profile, settings }: EvaluationContext): RuleContext {
  const resolvedProfile = typeof profile === "string" ? PROFILES[profile] : profile;
  return {
    now,
    profile: resolvedProfile,
    settings: {
      signVerificationMaxAgeDays: settings?.signVerificationMaxAgeDays ?? DEFAULT_SETTINGS.signVerificationMaxAgeDays,
      dsrWorkingDays: settings?.dsrWorkingDays ?? DEFAULT_SETTINGS.dsrWorkingDays,
      timeZone: settings?.timeZone ?? resolvedProfile.defaultTimeZone,
    },
  };
}

/** Evaluates one site under a profile. */
export function evaluateSite(site: SiteFacts, context: EvaluationContext): SiteEvaluation {
  const ruleContext = createRuleContext(context);
  return evaluateIndexedSite(indexSite(site, ruleContext), ruleContext);
}

function evaluateIndexedSite(site: SiteIndex, context: RuleContext): SiteEvaluation {
  const findings: Finding[] = [];
  for (const rule of context.profile.rules) {
    if (rule.scope === "site") findings.push(...rule.check(site, context));
  }
  findings.sort(compareFindings);
  return {
    siteId: site.facts.site.id,
    findings,
    coverage: measureCoverage(site, context),
    score: scoreFindings(findings),
  };
}

function measureCoverage(site: SiteIndex, context: RuleContext): Coverage {
  const { facts, activeCameras, frCameras, frEntryPoints, signedCameraIds } = site;
  let answered = 0;
  let onTime = 0;
  for (const request of facts.requests) {
    if (!request.closedAt) continue;
    const dueAt = site.requestDueAt(request);
    if (!dueAt) continue;
    answered++;
    if (request.closedAt <= dueAt) onTime++;
  }
  return {
    signage: share(
      countWhere(frCameras, (camera) => signedCameraIds.has(camera.id)),
      frCameras.length,
    ),
    signageAllCameras: share(
      countWhere(activeCameras, (camera) => signedCameraIds.has(camera.id)),
      activeCameras.length,
    ),
    consent: share(
      countWhere(facts.templates, (template) => context.profile.templateHasValidConsent(site, template, context)) +
        (facts.settledTemplates ?? 0),
      facts.templates.length + (facts.settledTemplates ?? 0),
    ),
    alternatives: share(
      countWhere(frEntryPoints, (entryPoint) => entryPoint.alternatives.length > 0),
      frEntryPoints.length,
    ),
    requestsOnTime: share(onTime, answered),
  };
}

/** Evaluates every site of an organisation, its filing duty and its organisation-wide rules. */
export function evaluateOrganization(facts: OrganizationFacts): OrganizationEvaluation {
  const context = createRuleContext(facts);
  const subjectsWithTemplates = new Set<string>();
  const sites: SiteEvaluation[] = [];
  for (const site of facts.sites) {
    for (const template of site.templates) subjectsWithTemplates.add(template.subjectId);
    sites.push(evaluateIndexedSite(indexSite(site, context), context));
  }
  const organization: OrganizationIndex = {
    facts,
    subjectsWithTemplates: facts.subjectsWithTemplates ?? subjectsWithTemplates.size,
  };
  const findings: Finding[] = [];
  for (const rule of context.profile.rules) {
    if (rule.scope === "organization") findings.push(...rule.check(organization, context));
  }
  findings.sort(compareFindings);
  const filing =
    context.profile.id === "CN"
      ? summarizeFiling(organization.subjectsWithTemplates, facts.organization.filing, facts.now)
      : { ...summarizeFiling(0, null, facts.now), subjectsWithTemplates: organization.subjectsWithTemplates };
  return {
    organizationId: facts.organization.id,
    profile: context.profile.id,
    evaluatedAt: facts.now,
    sites,
    filing,
    worstSiteId: worstSite(sites),
    findings,
  };
}

function worstSite(sites: readonly SiteEvaluation[]): string | null {
  let worst: { site: SiteEvaluation; critical: number } | null = null;
  for (const site of sites) {
    const critical = countWhere(site.findings, (finding) => finding.severity === "critical");
    if (
      !worst ||
      site.score < worst.site.score ||
      (site.score === worst.site.score &&
        (critical > worst.critical ||
          (critical === worst.critical && site.findings.length > worst.site.findings.length)))
    ) {
      worst = { site, critical };
    }
  }
  return worst?.site.siteId ?? null;
}

const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function countWhere<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  let count = 0;
  for (const item of items) if (predicate(item)) count++;
  return count;
}

/** When a request verified at `verifiedAt` must be answered under a profile; null where the law sets no deadline. */
export function requestDueAt(profile: ProfileId, verifiedAt: Date): Date | null {
  const context = createRuleContext({ now: verifiedAt, profile });
  const request: RequestFacts = {
    id: "new",
    type: "deletion",
    status: "open",
    verifiedAt,
    dueAt: null,
    closedAt: null,
    refusalReason: null,
    certificateIssuedAt: null,
  };
  return context.profile.requestDeadline(verifiedAt, request, context.settings);
}
