// CN-FR-08: a personal-information impact assessment (PIPIA) is done before processing starts and
// redone after a material change (Measures Art. 9; PIPL 55, 56). EU-35 reuses the site check.
import type { AssessmentFacts } from "../facts";
import type { Finding } from "../findings";
import type { SiteIndex } from "../site-index";
import type { SiteRule } from "./rule";
import { siteTarget } from "./targets";

/** Assessments are kept at least 3 years (Measures Art. 9). */
export const ASSESSMENT_RETENTION_YEARS = 3;

export function assessmentFindings(site: SiteIndex, ruleId: "CN-FR-08" | "EU-35", assessmentName: string): Finding[] {
  if (!site.frActive) return [];
  let latest: AssessmentFacts | undefined;
  for (const assessment of site.facts.assessments) {
    if (!latest || assessment.completedAt > latest.completedAt) latest = assessment;
  }
  const changedAt = site.facts.site.lastMaterialChangeAt;
  if (latest && (!changedAt || latest.completedAt >= changedAt)) return [];
  return [
    {
      ruleId,
      code: latest ? `${ruleId}.assessmentOutdated` : `${ruleId}.assessmentMissing`,
      params: {},
      severity: "high",
      target: siteTarget(site.facts.site),
      message: latest
        ? `The latest ${assessmentName} predates the site's last material change, so it no longer covers the deployment.`
        : `Face recognition runs at this site without a ${assessmentName}.`,
      remediation: `Complete and approve a ${assessmentName} covering the site's face recognition before processing continues.`,
    },
  ];
}

export const cnFr08: SiteRule = {
  id: "CN-FR-08",
  scope: "site",
  title: "A current impact assessment (PIPIA)",
  check: (site) => assessmentFindings(site, "CN-FR-08", "personal-information impact assessment (PIPIA)"),
};

/**
 * The API's check before deleting an assessment: one younger than 3 years is refused (CN-FR-08).
 * Returns the reason for refusal, or null if deleting is allowed.
 */
export function assessmentDeletionRefusal(assessment: AssessmentFacts, now: Date): string | null {
  const keepUntil = new Date(assessment.completedAt);
  keepUntil.setUTCFullYear(keepUntil.getUTCFullYear() + ASSESSMENT_RETENTION_YEARS);
  if (now >= keepUntil) return null;
  return `CN-FR-08: an impact assessment must be kept ${ASSESSMENT_RETENTION_YEARS} years; this one may be deleted from ${keepUntil.toISOString().slice(0, 10)}.`;
}
