// Illinois BIPA profile: IL-15a (740 ILCS 14/15(a)) retention schedule and destruction,
// IL-15b (14/15(b)) written notice and written release before collection.
import type { TemplateFacts } from "../facts";
import type { Finding } from "../findings";
import type { SiteIndex } from "../site-index";
import type { SiteRule } from "./rule";
import { siteTarget, templateTarget } from "./targets";

const DAY_MS = 86_400_000;
/** BIPA's outer limit: destroy 3 years after the individual's last interaction. */
export const BIPA_LAST_INTERACTION_YEARS = 3;

const addYears = (date: Date, years: number) => {
  const result = new Date(date);
  result.setUTCFullYear(result.getUTCFullYear() + years);
  return result;
};

export const il15a: SiteRule = {
  id: "IL-15a",
  scope: "site",
  title: "Public retention schedule; destroy at purpose end or 3 years after last interaction",
  check(site, { now, settings, profile }) {
    const findings: Finding[] = [];
    const notice = site.activeNotice;
    if ((site.frActive || site.facts.templates.length > 0) && !notice?.retention.trim()) {
      findings.push({
        ruleId: "IL-15a",
        code: "IL-15a.noRetentionSchedule",
        params: {},
        severity: "high",
        target: siteTarget(site.facts.site),
        message:
          "No publicly available retention schedule: the site's notice does not state how long templates are kept.",
        remediation: "Publish a written retention schedule and destruction guidelines in the site's public notice.",
      });
    }
    const retentionMs = site.facts.site.templateRetentionDays * DAY_MS;
    for (const template of site.facts.templates) {
      const reasons: [Date, string, Pick<Finding, "code" | "params">][] = [
        [
          new Date(template.createdAt.getTime() + retentionMs),
          "its retention period under the schedule has ended",
          { code: "IL-15a.retentionEnded", params: {} },
        ],
        [
          addYears(template.lastUsedAt ?? template.createdAt, BIPA_LAST_INTERACTION_YEARS),
          `${BIPA_LAST_INTERACTION_YEARS} years have passed since the subject's last interaction`,
          { code: "IL-15a.lastInteractionExpired", params: { years: BIPA_LAST_INTERACTION_YEARS } },
        ],
      ];
      const withdrawnAt = site.pendingDeletion.get(template.id)?.withdrawnAt;
      if (withdrawnAt)
        reasons.push([
          profile.erasureDeadline(withdrawnAt, settings),
          "the subject withdrew consent, so its purpose has ended",
          { code: "IL-15a.consentWithdrawn", params: {} },
        ]);
      const passed = reasons.filter(([deadline]) => now > deadline).sort(([a], [b]) => a.getTime() - b.getTime())[0];
      if (!passed) continue;
      findings.push({
        ruleId: "IL-15a",
        ...passed[2],
        severity: "high",
        target: templateTarget(site, template),
        message: `A face template was not destroyed although ${passed[1]}.`,
        remediation: "Destroy the template permanently (queued automatically) and record it.",
        action: "queue_deletion",
      });
    }
    return findings;
  },
};

/** A written (or electronic) release given no later than the template's creation, after a notice of purpose and term. */
export function hasWrittenRelease(site: SiteIndex, template: TemplateFacts): boolean {
  const consents = site.consentsBySubject.get(template.subjectId) ?? [];
  return consents.some((consent) => {
    if (consent.givenAt > template.createdAt || !consent.scopes.includes("recognition")) return false;
    const notice = consent.noticeId ? site.noticesById.get(consent.noticeId) : undefined;
    return notice !== undefined && notice.purpose.trim() !== "" && notice.retention.trim() !== "";
  });
}

export const il15b: SiteRule = {
  id: "IL-15b",
  scope: "site",
  title: "Written notice and written release before collection",
  check: (site) =>
    site.facts.templates
      .filter((template) => !hasWrittenRelease(site, template))
      .map((template) => ({
        ruleId: "IL-15b",
        code: "IL-15b.noWrittenRelease",
        params: {},
        severity: "critical",
        target: templateTarget(site, template),
        message:
          "A face template was collected without a prior written release given after a written notice of the purpose and how long it is kept.",
        remediation:
          "Stop using and destroy the template; collect again only after written notice and a signed (or electronic) release.",
      })),
};
