// CN-FR-07: keep face data only as long as the purpose needs (Measures Art. 8; PIPL 19, 47).
import type { Finding } from "../findings";
import type { SiteRule } from "./rule";
import { templateTarget } from "./targets";

const DAY_MS = 86_400_000;

export const cnFr07: SiteRule = {
  id: "CN-FR-07",
  scope: "site",
  title: "Templates are deleted after retention or long disuse",
  check(site, { now, settings }) {
    const findings: Finding[] = [];
    const retentionDays = site.facts.site.templateRetentionDays;
    const retainedSince = now.getTime() - retentionDays * DAY_MS;
    const usedSince = now.getTime() - settings.templateUnusedGraceDays * DAY_MS;
    for (const template of site.facts.templates) {
      const expired = template.createdAt.getTime() < retainedSince;
      const lastActivity = template.lastUsedAt ?? template.createdAt;
      const unused = lastActivity.getTime() < usedSince;
      if (!expired && !unused) continue;
      findings.push({
        ruleId: "CN-FR-07",
        code: expired ? "CN-FR-07.retentionExpired" : "CN-FR-07.unused",
        params: expired ? { retentionDays } : { graceDays: settings.templateUnusedGraceDays },
        severity: "high",
        target: templateTarget(site, template),
        message: expired
          ? `A face template is older than the site's retention period of ${retentionDays} days.`
          : `A face template has not been used for more than ${settings.templateUnusedGraceDays} days.`,
        remediation: "Delete the template (queued automatically) and issue a deletion certificate.",
        action: "queue_deletion",
      });
    }
    return findings;
  },
};
