// CN-DSR-SLA: requests are answered within 15 working days after identity verification
// (PIPL 50 "timely"; the regulators' benchmark). EU-SLA runs the same check with GDPR deadlines.
import type { Finding, FindingParams } from "../findings";
import type { SiteIndex } from "../site-index";
import { calendarDayKey } from "../working-days";
import type { RuleContext, SiteRule } from "./rule";
import { requestTarget } from "./targets";

/** `limit` describes the deadline in the English message; `params` are the values it was built from. */
export function overdueRequestFindings(
  site: SiteIndex,
  context: RuleContext,
  ruleId: "CN-DSR-SLA" | "EU-SLA",
  limit: string,
  params: FindingParams = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const request of site.facts.requests) {
    if (request.closedAt) continue;
    const dueAt = site.requestDueAt(request);
    if (!dueAt || context.now <= dueAt) continue;
    const dueDate = calendarDayKey(dueAt, context.settings.timeZone);
    findings.push({
      ruleId,
      code: `${ruleId}.requestOverdue`,
      params: { requestType: request.type, dueDate, ...params },
      severity: "high",
      target: requestTarget(request),
      message: `A ${request.type} request is still open past its deadline of ${dueDate} (${limit}).`,
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
      { workingDays: context.settings.dsrWorkingDays },
    ),
};
