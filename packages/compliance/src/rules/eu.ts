// GDPR profile. EU-09 (Art. 9(2)(a)) shares CN-FR-04's consent checks, EU-17 (Art. 17) CN-PI-03's
// deletion checks, EU-SLA (Art. 12(3)) CN-DSR-SLA's overdue check and EU-35 (Art. 35) CN-FR-08's
// assessment check, each under its own id, wording and deadlines.
import { overdueRequestFindings } from "./cn-dsr-sla";
import { separateConsentFindings } from "./cn-fr-04";
import { assessmentFindings } from "./cn-fr-08";
import { erasureFindings } from "./cn-pi-03";
import type { SiteRule } from "./rule";

export const eu09: SiteRule = {
  id: "EU-09",
  scope: "site",
  title: "Explicit consent as the Art. 9(2) basis for biometric identification",
  check: (site) => separateConsentFindings(site, "EU-09", "GDPR Art. 9(2)(a)"),
};

export const euSla: SiteRule = {
  id: "EU-SLA",
  scope: "site",
  title: "Requests answered within one month (three with a notified extension)",
  check: (site, context) =>
    overdueRequestFindings(site, context, "EU-SLA", "one month after verification, three with a notified extension"),
};

export const eu17: SiteRule = {
  id: "EU-17",
  scope: "site",
  title: "Erasure without undue delay",
  check: (site, context) => erasureFindings(site, context, "EU-17", "GDPR Art. 17"),
};

/**
 * Biometric identification is on every EU supervisory authority's list of processing that needs a
 * DPIA, so wherever face recognition runs the site needs a current one.
 */
export const eu35: SiteRule = {
  id: "EU-35",
  scope: "site",
  title: "A current DPIA for biometric processing",
  check: (site) => assessmentFindings(site, "EU-35", "data protection impact assessment (DPIA)"),
};
