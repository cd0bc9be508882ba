// CN-DSR-SLA: requests are answered within 15 working days after identity verification
// (PIPL 50 "timely"; the regulators' benchmark). EU-SLA runs the same check with GDPR deadlines.
import type { Finding } from "../findings";
import type { SiteIndex } from "../site-index";
import { calendarDayKey } from "../working-days";
import type { RuleContext, SiteRule } from "./rule";
import { requestTarget } from "./targets";

export function overdueRequestFindings(
  site: SiteIndex,
  context: RuleContext,
  ruleId: string,
  limit: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const request of site.facts.requests) {
    if (request.closedAt) continue;
    const dueAt = site.requestDueAt(request);
    if (!dueAt || context.now <= dueAt) continue;
    findings.push({
      ruleId,
      severity: "high",
      target: requestTarget(request),
      message: `A ${request.type} request is still open past its deadline of ${calendarDayKey(dueAt, context.settings.timeZone)} (${limit}).`,
      remediation: "Answer the request now and tell the requester why it was late.",
    });
  }
  return findings;
}

export const cnDsrSla: SiteRule = {
  id: "CN-DSR-SLA",
  scope: "site",
  title: "Requests answered within 15 working days",
  check: (site, context) =>
    overdueRequestFindings(
      site,
      context,
      "CN-DSR-SLA",
      `${context.settings.dsrWorkingDays} working days after verification`,
    ),
};
