// Illinois BIPA profile: IL-15a (740 ILCS 14/15(a)) retention schedule and destruction,
// IL-15b (14/15(b)) written notice and written release before collection.
import type { TemplateFacts } from "../facts";
import type { Finding } from "../findings";
import type { SiteIndex } from "../site-index";
import { retentionFindings } from "./retention";
import type { SiteRule } from "./rule";
import { siteTarget, templateTarget } from "./targets";

const DAY_MS = 86_400_000;
/** BIPA's outer limit: destroy 3 years after the individual's last interaction. */
export const BIPA_LAST_INTERACTION_YEARS = 3;
/** The longest template period a US-IL site may set (packages/core/src/retention/policy.ts, US_IL_TEMPLATE_MAX_DAYS). */
export const BIPA_MAX_RETENTION_DAYS = 1095;

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
    const holdsTemplates = site.facts.templates.length > 0 || (site.facts.settledTemplates ?? 0) > 0;
    if ((site.frActive || holdsTemplates) && !notice?.retention.trim()) {
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
    findings.push(
      ...retentionFindings(site, now, {
        ruleId: "IL-15a",
        kinds: [{ kind: "templates", code: "IL-15a.templatesOverdue", noun: "Face templates" }],
      }),
    );
    const retentionMs = site.facts.site.templateRetentionDays * DAY_MS;
    for (const template of site.facts.templates) {
      const lastActivity = template.lastUsedAt ?? template.createdAt;
      const withdrawnAt = site.pendingDeletion.get(template.id)?.withdrawnAt;
      if (withdrawnAt && now > profile.erasureDeadline(withdrawnAt, settings)) {
        findings.push({
          ruleId: "IL-15a",
          code: "IL-15a.consentWithdrawn",
          params: {},
          severity: "high",
          target: templateTarget(site, template),
          message: "A face template was not destroyed although the subject withdrew consent, so its purpose has ended.",
          remediation:
            "Withdrawing consent queues the template's destruction automatically; it has not happened: check the ops worker, then destroy the template and record it.",
        });
        continue;
      }
      // The job destroys templates when the site's period after last use ends; a period longer than
      // BIPA's outer limit leaves them past it, which only a shorter period fixes.
      const jobDeletesAt = lastActivity.getTime() + retentionMs;
      if (now > addYears(lastActivity, BIPA_LAST_INTERACTION_YEARS) && now.getTime() <= jobDeletesAt) {
        findings.push({
          ruleId: "IL-15a",
          code: "IL-15a.lastInteractionExpired",
          params: { years: BIPA_LAST_INTERACTION_YEARS, maxDays: BIPA_MAX_RETENTION_DAYS },
          severity: "high",
          target: templateTarget(site, template),
          message: `A face template was not destroyed although ${BIPA_LAST_INTERACTION_YEARS} years have passed since the subject's last interaction: the site keeps templates longer than that.`,
          remediation: `Set the site's template retention to at most ${BIPA_MAX_RETENTION_DAYS.toLocaleString("en-US")} days on its Retention panel; the retention job then destroys the template automatically.`,
        });
      }
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
