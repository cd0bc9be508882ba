import { evaluateOrganization, evaluateSite, RULE_CATALOGUE_VERSION } from "@consentry/compliance";
import { and, asc, type Executor, eq, gte, schema } from "@consentry/db";
import { requireSite } from "../lookups";
import { loadOrganizationFacts } from "./facts";

const { complianceSnapshots, sites } = schema;

/** Every site's score and coverage, worst first, and the organization's filing status. */
export async function complianceOverview({ db, orgId }: { db: Executor; orgId: string }) {
  const facts = await loadOrganizationFacts(db, orgId);
  const evaluation = evaluateOrganization(facts);
  const names = new Map(facts.sites.map((site) => [site.site.id, site.site.name]));
  return {
    profile: evaluation.profile,
    catalogueVersion: RULE_CATALOGUE_VERSION,
    evaluatedAt: evaluation.evaluatedAt,
    filing: evaluation.filing,
    findings: evaluation.findings,
    sites: evaluation.sites
      .map((site) => ({
        siteId: site.siteId,
        name: names.get(site.siteId) ?? "",
        score: site.score,
        coverage: site.coverage,
        counts: {
          critical: site.findings.filter((f) => f.severity === "critical").length,
          high: site.findings.filter((f) => f.severity === "high").length,
          medium: site.findings.filter((f) => f.severity === "medium").length,
          info: site.findings.filter((f) => f.severity === "info").length,
        },
        topFindings: site.findings.slice(0, 3),
      }))
      .sort((a, b) => a.score - b.score || b.counts.critical - a.counts.critical),
  };
}

/** One site: findings grouped by rule, coverage, score, and coverage over the last `days` from snapshots. */
export async function siteCompliance(
  { db, orgId }: { db: Executor; orgId: string },
  input: { siteId: string; days: number },
) {
  const site = await requireSite(db, orgId, input.siteId);
  const facts = await loadOrganizationFacts(db, orgId, { siteId: site.id });
  const siteFacts = facts.sites[0];
  const evaluation = siteFacts
    ? evaluateSite(siteFacts, facts)
    : {
        siteId: site.id,
        findings: [],
        coverage: { signage: null, signageAllCameras: null, consent: null, alternatives: null, requestsOnTime: null },
        score: 100,
      };
  const byRule = new Map<string, typeof evaluation.findings>();
  for (const finding of evaluation.findings)
    byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
  const history = await db
    .select({
      at: complianceSnapshots.at,
      score: complianceSnapshots.score,
      coverage: complianceSnapshots.coverage,
    })
    .from(complianceSnapshots)
    .innerJoin(sites, eq(sites.id, complianceSnapshots.siteId))
    .where(
      and(
        eq(complianceSnapshots.siteId, site.id),
        eq(sites.orgId, orgId),
        gte(complianceSnapshots.at, new Date(Date.now() - input.days * 86_400_000)),
      ),
    )
    .orderBy(asc(complianceSnapshots.at));
  return {
    site: { id: site.id, name: site.name, code: site.code },
    profile: facts.profile,
    catalogueVersion: RULE_CATALOGUE_VERSION,
    score: evaluation.score,
    coverage: evaluation.coverage,
    rules: [...byRule.entries()].map(([ruleId, findings]) => ({
      ruleId,
      severity: findings[0]?.severity,
      findings,
    })),
    history: history.map((point) => ({ ...point, coverage: point.coverage as typeof evaluation.coverage })),
  };
}
