// CN-PI-03: delete on request, on withdrawal, when the purpose ends or retention expires (PIPL 47, 15):
// templates and enrolment photos alike (catalogue v2).
// EU-17 (GDPR Art. 17) runs the same check with the EU deadlines.
import type { RequestFacts } from "../facts";
import type { Finding } from "../findings";
import type { SiteIndex } from "../site-index";
import type { RuleContext, SiteRule } from "./rule";
import { requestTarget, subjectTarget, templateTarget } from "./targets";

/** Requests that oblige deletion: every verified withdrawal, and deletions once approved. */
export function requestRequiresDeletion(request: RequestFacts): boolean {
  if (request.type === "withdrawal") return request.status !== "pending_verification" && request.status !== "refused";
  return request.type === "deletion" && (request.status === "approved" || request.status === "completed");
}

export function erasureFindings(
  site: SiteIndex,
  context: RuleContext,
  ruleId: "CN-PI-03" | "EU-17",
  law: string,
): Finding[] {
  const { now, settings, profile } = context;
  const findings: Finding[] = [];
  for (const request of site.facts.requests) {
    if (!requestRequiresDeletion(request) || request.certificateIssuedAt) continue;
    const dueAt = site.requestDueAt(request);
    if (!dueAt || now <= dueAt) continue;
    findings.push({
      ruleId,
      code: `${ruleId}.requestNotCompleted`,
      params: { requestType: request.type, law },
      severity: "critical",
      target: requestTarget(request),
      message: `A ${request.type} request was not completed with a deletion certificate by its deadline.`,
      remediation: `Delete the subject's face data now, issue the deletion certificate and tell the requester (${law}).`,
    });
  }
  for (const { template, withdrawnAt } of site.pendingDeletion.values()) {
    if (now <= profile.erasureDeadline(withdrawnAt, settings)) continue;
    findings.push({
      ruleId,
      code: `${ruleId}.templateKeptAfterWithdrawal`,
      params: { law },
      severity: "critical",
      target: templateTarget(site, template),
      message: "The subject withdrew consent, but the face template still exists after the deletion deadline.",
      remediation: `Delete the template now and issue a deletion certificate (${law}).`,
    });
  }
  for (const photos of site.facts.photos ?? []) {
    const withdrawnAt = photos.consentId ? site.consentsById.get(photos.consentId)?.withdrawnAt : null;
    if (!withdrawnAt || photos.count <= 0 || now <= profile.erasureDeadline(withdrawnAt, settings)) continue;
    findings.push({
      ruleId,
      code: `${ruleId}.photosKeptAfterWithdrawal`,
      params: { count: photos.count, law },
      severity: "critical",
      target: subjectTarget(site, photos.subjectId),
      message: `The subject withdrew consent, but enrolment photos taken under it still exist after the deletion deadline: ${photos.count.toLocaleString("en-US")}.`,
      remediation: `Withdrawal deletes the photos and their files automatically, so check the ops worker; delete them now and issue a deletion certificate (${law}).`,
    });
  }
  return findings;
}

export const cnPi03: SiteRule = {
  id: "CN-PI-03",
  scope: "site",
  title: "Deletion on request and on withdrawal, templates and photos, with a certificate",
  check: (site, context) => erasureFindings(site, context, "CN-PI-03", "PIPL 47"),
};
