// CN-FR-03: a plain-language notice is shown before processing: who processes, purpose, method,
// retention, rights and contact (Measures Art. 5).
import type { NoticeFacts } from "../facts";
import type { Finding } from "../findings";
import type { SiteRule } from "./rule";
import { noticeTarget, purposeText, siteTarget, subjectTarget } from "./targets";

export const NOTICE_FIELDS = [
  "controller",
  "purpose",
  "method",
  "retention",
  "rights",
  "contact",
] as const satisfies readonly (keyof NoticeFacts)[];

export const missingNoticeFields = (notice: NoticeFacts) => NOTICE_FIELDS.filter((field) => !notice[field].trim());

export const cnFr03: SiteRule = {
  id: "CN-FR-03",
  scope: "site",
  title: "A complete notice is shown before processing",
  check(site) {
    const findings: Finding[] = [];
    const notice = site.activeNotice;
    if (notice) {
      const missing = missingNoticeFields(notice);
      if (missing.length > 0) {
        findings.push({
          ruleId: "CN-FR-03",
          code: "CN-FR-03.noticeIncomplete",
          params: { version: notice.version, fields: missing.join(", ") },
          severity: "medium",
          target: noticeTarget(notice),
          message: `The active notice (v${notice.version}) does not state: ${missing.join(", ")}.`,
          remediation:
            "Publish a new notice version that states who processes, the purpose, method, retention, the subject's rights and a contact.",
        });
      }
    } else if (site.frActive) {
      findings.push({
        ruleId: "CN-FR-03",
        code: "CN-FR-03.noNotice",
        params: {},
        severity: "medium",
        target: siteTarget(site.facts.site),
        message: "Face recognition runs at this site but no notice has been published.",
        remediation:
          "Publish a notice stating who processes, the purpose, method, retention, the subject's rights and a contact, and show it before enrolment.",
      });
    }
    for (const consent of site.facts.consents) {
      if (consent.withdrawnAt !== null || consent.noticeId !== null) continue;
      findings.push({
        ruleId: "CN-FR-03",
        code: "CN-FR-03.consentWithoutNoticeVersion",
        params: { purpose: consent.purpose },
        severity: "medium",
        target: subjectTarget(site, consent.subjectId),
        message: `A consent for ${purposeText(consent.purpose)} does not record which notice version the subject saw.`,
        remediation: "Have the subject confirm the current notice and record its version with the consent.",
      });
    }
    return findings;
  },
};
