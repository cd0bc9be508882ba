// CN-FR-05: a child under 14 needs a parent's or guardian's consent (Measures Art. 7; PIPL 31).
import type { SubjectFacts } from "../facts";
import type { Finding } from "../findings";
import { calendarDayKey, SHANGHAI } from "../working-days";
import type { SiteRule } from "./rule";
import { subjectTarget } from "./targets";

/** Flagged a minor, or born in a year that leaves them possibly under 14 today. */
export function mayBeUnder14(subject: SubjectFacts, now: Date): boolean {
  if (subject.isMinor) return true;
  if (subject.birthYear === null || subject.birthYear === undefined) return false;
  const year = Number(calendarDayKey(now, SHANGHAI).slice(0, 4));
  return year - subject.birthYear <= 14;
}

export const cnFr05: SiteRule = {
  id: "CN-FR-05",
  scope: "site",
  title: "Guardian consent for children under 14",
  check(site, { now }) {
    const findings: Finding[] = [];
    const seen = new Set<string>();
    for (const template of site.liveTemplates) {
      if (seen.has(template.subjectId)) continue;
      seen.add(template.subjectId);
      const subject = site.subjectsById.get(template.subjectId);
      if (!subject || !mayBeUnder14(subject, now)) continue;
      const consents = site.consentsBySubject.get(subject.id) ?? [];
      if (consents.some((consent) => consent.withdrawnAt === null && consent.guardianConsentAt !== null)) continue;
      findings.push({
        ruleId: "CN-FR-05",
        code: "CN-FR-05.minorWithoutGuardianConsent",
        params: { subject: subject.pseudonym },
        severity: "critical",
        target: subjectTarget(site, subject.id),
        message: `Subject ${subject.pseudonym} may be under 14 and has a face template, but no parent or guardian consented.`,
        remediation:
          "Stop matching the child's templates until a parent or guardian gives separate consent, or delete them.",
      });
    }
    return findings;
  },
};
