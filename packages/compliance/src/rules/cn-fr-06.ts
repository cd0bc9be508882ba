// CN-FR-06: face data stays on the recognition device; sending it over a network needs separate
// consent (Measures Art. 8).
import type { ConsentScope } from "../facts";
import type { Finding } from "../findings";
import type { SiteRule } from "./rule";
import { templateTarget } from "./targets";

/** The consent scope that allows a template to leave the device (the catalogue names `transfer` only). */
export const TRANSFER_SCOPE: ConsentScope = "transfer";

export const cnFr06: SiteRule = {
  id: "CN-FR-06",
  scope: "site",
  title: "Face data stays on the device unless transfer is consented",
  check(site) {
    const findings: Finding[] = [];
    for (const template of site.liveTemplates) {
      if (template.storage !== "central") continue;
      const consents = site.consentsBySubject.get(template.subjectId) ?? [];
      const allowsTransfer = consents.some(
        (consent) =>
          consent.withdrawnAt === null &&
          consent.isSeparate &&
          !consent.isBundled &&
          consent.scopes.includes(TRANSFER_SCOPE),
      );
      if (allowsTransfer) continue;
      findings.push({
        ruleId: "CN-FR-06",
        code: "CN-FR-06.centralWithoutTransferConsent",
        params: {},
        severity: "high",
        target: templateTarget(site, template),
        message:
          "A face template is held centrally, but the subject has not separately consented to its transfer off the device.",
        remediation:
          "Move the template back to the recognition device and delete the central copy, or obtain separate consent with scope transfer.",
      });
    }
    return findings;
  },
};
