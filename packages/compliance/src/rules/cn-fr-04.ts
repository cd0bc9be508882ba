// CN-FR-04: face recognition needs informed, voluntary, explicit, separate consent, not bundled;
// a change of purpose needs new consent (Measures Art. 6; PIPL 29; SPC Art. 4).
// EU-09 runs the same checks under its own id (GDPR Art. 9(2)(a) explicit consent).
import type { Finding, FindingParams } from "../findings";
import type { SiteIndex } from "../site-index";
import type { SiteRule } from "./rule";
import { purposeText, subjectTarget, templateTarget } from "./targets";

/** Why a template lacks a valid separate consent; each reason is its own finding code. */
type MissingConsentReason =
  | "templateNoConsent"
  | "templateConsentWithdrawn"
  | "templatePurposeChanged"
  | "templateConsentNotSeparate";

export function separateConsentFindings(site: SiteIndex, ruleId: "CN-FR-04" | "EU-09", law: string): Finding[] {
  const findings: Finding[] = [];
  for (const template of site.liveTemplates) {
    if (site.separateConsentFor(template)) continue;
    const purpose = site.templatePurpose(template);
    const linked = template.consentId ? site.consentsById.get(template.consentId) : undefined;
    const forPurpose: FindingParams = purpose === null ? {} : { purpose };
    const [reason, why, params]: [MissingConsentReason, string, FindingParams] = !linked
      ? ["templateNoConsent", "no consent is linked to it", forPurpose]
      : linked.withdrawnAt
        ? ["templateConsentWithdrawn", "its consent was withdrawn and the template has been used since", forPurpose]
        : purpose !== null && linked.purpose !== purpose
          ? [
              "templatePurposeChanged",
              `it is now used for ${purposeText(purpose)} but consent was given for ${purposeText(linked.purpose)}`,
              { purpose, consentPurpose: linked.purpose },
            ]
          : [
              "templateConsentNotSeparate",
              "its consent is not a separate, unbundled consent to recognition",
              forPurpose,
            ];
    findings.push({
      ruleId,
      // Only a template without a linked consent can lack a purpose; its sentence leaves out "for <purpose>".
      code: purpose === null ? `${ruleId}.templateNoConsentNoPurpose` : `${ruleId}.${reason}`,
      params: { ...params, law },
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
      code: `${ruleId}.consentBundled`,
      params: { purpose: consent.purpose, law },
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
