// CN-FR-14: face data is encrypted, access-controlled and audited (Measures Art. 14; PIPL 51).
// Two halves: templates per site, the audit chain for the whole organisation.
import type { OrganizationRule, SiteRule } from "./rule";
import { templateTarget } from "./targets";

export const cnFr14: SiteRule = {
  id: "CN-FR-14",
  scope: "site",
  title: "Face templates are encrypted",
  check: (site) =>
    site.facts.templates
      .filter((template) => !template.encrypted)
      .map((template) => ({
        ruleId: "CN-FR-14",
        code: "CN-FR-14.templateUnencrypted",
        params: {},
        severity: "critical",
        target: templateTarget(site, template),
        message: "A face template is stored unencrypted.",
        remediation: "Re-encrypt the template with the active key now and find out how it was written in the clear.",
      })),
};

export const cnFr14AuditChain: OrganizationRule = {
  id: "CN-FR-14",
  scope: "organization",
  title: "The audit chain is intact",
  check: ({ facts }) =>
    facts.auditChainOk
      ? []
      : [
          {
            ruleId: "CN-FR-14",
            code: "CN-FR-14.auditChainBroken",
            params: {},
            severity: "critical",
            target: { type: "organization", id: facts.organization.id, label: facts.organization.name },
            message: "The audit log's hash chain is broken: entries were altered or removed.",
            remediation:
              "Escalate to security, preserve the database, find the first broken entry and report the incident.",
          },
        ],
};
