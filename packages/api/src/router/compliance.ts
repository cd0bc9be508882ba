import { evaluateOrganization, evaluateSite } from "@consentry/compliance";
import { requireSite } from "@consentry/core";
import { loadOrganizationFacts } from "@consentry/core/compliance";
import { and, asc, eq, gte, schema } from "@consentry/db";
import { z } from "zod";
import { orgProcedure, router } from "../trpc";

const { complianceSnapshots, sites } = schema;

/** Is face recognition lawful here today: findings, coverage and scores from the rules engine. */
export const complianceRouter = router({
  /** Every site's score and coverage, worst first, and the organisation's filing status. */
  overview: orgProcedure("auditor").query(async ({ ctx }) => {
    const facts = await loadOrganizationFacts(ctx.db, ctx.org.id);
    const evaluation = evaluateOrganization(facts);
    const names = new Map(facts.sites.map((site) => [site.site.id, site.site.name]));
    return {
      profile: evaluation.profile,
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
  }),

  /** One site: findings grouped by rule, coverage, score, and coverage over time from snapshots. */
  site: orgProcedure("auditor")
    .input(z.object({ siteId: z.uuid(), days: z.int().min(1).max(365).default(90) }))
    .query(async ({ ctx, input }) => {
      const site = await requireSite(ctx.db, ctx.org.id, input.siteId);
      const facts = await loadOrganizationFacts(ctx.db, ctx.org.id, { siteId: site.id });
      const siteFacts = facts.sites[0];
      const evaluation = siteFacts
        ? evaluateSite(siteFacts, facts)
        : {
            siteId: site.id,
            findings: [],
            coverage: { signage: null, consent: null, alternatives: null, requestsOnTime: null },
            score: 100,
          };
      const byRule = new Map<string, typeof evaluation.findings>();
      for (const finding of evaluation.findings)
        byRule.set(finding.ruleId, [...(byRule.get(finding.ruleId) ?? []), finding]);
      const history = await ctx.db
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
            eq(sites.orgId, ctx.org.id),
            gte(complianceSnapshots.at, new Date(Date.now() - input.days * 86_400_000)),
          ),
        )
        .orderBy(asc(complianceSnapshots.at));
      return {
        site: { id: site.id, name: site.name, code: site.code },
        profile: facts.profile,
        score: evaluation.score,
        coverage: evaluation.coverage,
        rules: [...byRule.entries()].map(([ruleId, findings]) => ({
          ruleId,
          severity: findings[0]?.severity,
          findings,
        })),
        history: history.map((point) => ({ ...point, coverage: point.coverage as typeof evaluation.coverage })),
      };
    }),
});
