// CN-FR-15: a handler holding face data of 100,000 or more people files with the provincial
// cyberspace office within 30 working days (Measures Art. 15).
import { FILING_THRESHOLD, summarizeFiling } from "../filing";
import type { Finding } from "../findings";
import { calendarDayKey } from "../working-days";
import type { OrganizationRule } from "./rule";

export const cnFr15: OrganizationRule = {
  id: "CN-FR-15",
  scope: "organization",
  title: "Filing with the cyberspace office at 100,000 subjects",
  check({ facts, subjectsWithTemplates }, { now }) {
    const filing = summarizeFiling(subjectsWithTemplates, facts.organization.filing, now);
    const target = { type: "organization", id: facts.organization.id, label: facts.organization.name } as const;
    const count = subjectsWithTemplates.toLocaleString("en-US");
    const due = filing.dueAt ? calendarDayKey(filing.dueAt) : "";
    const findings: Finding[] = [];
    if (filing.status === "overdue") {
      findings.push({
        ruleId: "CN-FR-15",
        code: "CN-FR-15.filingOverdue",
        params: { count: subjectsWithTemplates, dueDate: due },
        severity: "critical",
        target,
        message: `The organisation holds face data of ${count} people and has not filed with the provincial cyberspace office; the filing was due on ${due}.`,
        remediation: "File with the provincial cyberspace office now and record the filing reference.",
      });
    } else if (filing.status === "due") {
      findings.push({
        ruleId: "CN-FR-15",
        code: "CN-FR-15.filingDue",
        params: { count: subjectsWithTemplates, dueDate: due },
        severity: "info",
        target,
        message: `The organisation holds face data of ${count} people; the filing with the provincial cyberspace office is due by ${due}.`,
        remediation: "Prepare and submit the filing before the deadline and record its reference.",
      });
    } else if (filing.status === "approaching") {
      const percent = Math.floor((subjectsWithTemplates / FILING_THRESHOLD) * 100);
      findings.push({
        ruleId: "CN-FR-15",
        code: "CN-FR-15.filingApproaching",
        params: { count: subjectsWithTemplates, percent, threshold: FILING_THRESHOLD },
        severity: "info",
        target,
        message: `The organisation holds face data of ${count} people, ${percent}% of the ${FILING_THRESHOLD.toLocaleString("en-US")} at which filing becomes mandatory.`,
        remediation: "Prepare the filing now: at 100,000 people it is due within 30 working days.",
      });
    }
    return findings;
  },
};
