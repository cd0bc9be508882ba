// CN-FR-04: face recognition needs informed, voluntary, explicit, separate consent, not bundled;
// a change of purpose needs new consent (Measures Art. 6; PIPL 29; SPC Art. 4).
// EU-09 runs the same checks under its own id (GDPR Art. 9(2)(a) explicit consent).
import type { Finding } from "../findings";
import type { SiteIndex } from "../site-index";
import type { SiteRule } from "./rule";
import { purposeText, subjectTarget, templateTarget } from "./targets";

export function separateConsentFindings(site: SiteIndex, ruleId: string, law: string): Finding[] {
  const findings: Finding[] = [];
  for (const template of site.liveTemplates) {
    if (site.separateConsentFor(template)) continue;
    const purpose = site.templatePurpose(template);
    const linked = template.consentId ? site.consentsById.get(template.consentId) : undefined;
    const why = !linked
      ? "no consent is linked to it"
      : linked.withdrawnAt
        ? "its consent was withdrawn and the template has been used since"
        : purpose !== null && linked.purpose !== purpose
          ? `it is now used for ${purposeText(purpose)} but consent was given for ${purposeText(linked.purpose)}`
          : "its consent is not a separate, unbundled consent to recognition";
    findings.push({
      ruleId,
      severity: "critical",
      target: templateTarget(site, template),
      message: `A face template is held without an active separate consent${purpose ? ` for ${purposeText(purpose)}` : ""}: ${why}.`,
      remediation: `Stop matching this template and delete it, or obtain a new separate, explicit consent covering its purpose (${law}).`,
    });
  }
  for (const consent of site.facts.consents) {
    if (consent.withdrawnAt !== null || (consent.isSeparate && !consent.isBundled)) continue;
    findings.push({
      ruleId,
      severity: "high",
      target: subjectTarget(site, consent.subjectId),
      message: `A consent for ${purposeText(consent.purpose)} was bundled with other terms instead of given separately.`,
      remediation: `Ask for face recognition consent on its own, apart from any other terms, and replace the bundled consent (${law}).`,
    });
  }
  return findings;
}

export const cnFr04: SiteRule = {
  id: "CN-FR-04",
  scope: "site",
  title: "Separate, explicit consent for face recognition",
  check: (site) => separateConsentFindings(site, "CN-FR-04", "Measures Art. 6, PIPL 29"),
};
