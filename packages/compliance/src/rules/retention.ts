// Retention is enforced by the system (the hourly `retention` job), so CN-FR-07 and IL-15a judge
// whether it did its work, not whether an operator deleted something.
import type { RetentionCountKind, RetentionFacts, RetentionRunFacts } from "../facts";
import type { Finding, FindingCode } from "../findings";
import type { SiteIndex } from "../site-index";
import { siteTarget } from "./targets";

/** The job runs hourly: data this long past its due time has been missed by two runs. */
export const RETENTION_OVERDUE_HOURS = 2;
export const RETENTION_OVERDUE_MS = RETENTION_OVERDUE_HOURS * 3_600_000;

export type RetentionJobState = "ok" | "failed" | "notRunning";

/** Whether the job can be relied on at `now`: its last run completed (or is under way) within the overdue window. */
export function retentionJobState(lastRun: RetentionRunFacts | null, now: Date): RetentionJobState {
  if (!lastRun) return "notRunning";
  if (lastRun.status === "failed" || lastRun.status === "interrupted") return "failed";
  const lastActive = lastRun.finishedAt ?? lastRun.startedAt;
  return now.getTime() - lastActive.getTime() > RETENTION_OVERDUE_MS ? "notRunning" : "ok";
}

/** What one rule says about one kind of data the job has left behind. */
export interface OverdueKind {
  kind: RetentionCountKind;
  code: FindingCode;
  /** "Face templates", "Enrolment photos", …: the English noun that starts the message. */
  noun: string;
}

const REMEDIATION_OVERDUE =
  "The retention job deletes this data automatically; it has not: check the ops worker and the last retention run on the site's Retention panel.";

/**
 * The findings of a retention rule at one site: one about the job when it failed or stopped while
 * data of `kinds` is due, else one per kind still stored more than RETENTION_OVERDUE_HOURS past due.
 */
export function retentionFindings(
  site: SiteIndex,
  now: Date,
  rule: { ruleId: "CN-FR-07" | "IL-15a"; kinds: readonly OverdueKind[] },
): Finding[] {
  const retention: RetentionFacts | undefined = site.facts.retention;
  if (!retention) return [];
  const count = (counts: RetentionFacts["due"], kind: RetentionCountKind) => Math.max(0, counts[kind] ?? 0);
  const due = rule.kinds.reduce(
    (sum, { kind }) => sum + Math.max(count(retention.due, kind), count(retention.overdue, kind)),
    0,
  );
  if (due === 0) return [];
  const target = siteTarget(site.facts.site);
  const state = retentionJobState(retention.lastRun, now);
  if (state === "failed") {
    return [
      {
        ruleId: rule.ruleId,
        code: `${rule.ruleId}.retentionRunFailed`,
        params: { count: due },
        severity: "high",
        target,
        message: `The last retention run did not complete while face data here is past its retention period (items due: ${due.toLocaleString("en-US")}).`,
        remediation:
          "The retention job deletes this data automatically once it runs again: check the ops worker's log and the failed run on the site's Retention panel.",
      },
    ];
  }
  if (state === "notRunning") {
    return [
      {
        ruleId: rule.ruleId,
        code: `${rule.ruleId}.retentionNotRunning`,
        params: { count: due, hours: RETENTION_OVERDUE_HOURS },
        severity: "high",
        target,
        message: `No retention run has completed in the last ${RETENTION_OVERDUE_HOURS} hours while face data here is past its retention period (items due: ${due.toLocaleString("en-US")}).`,
        remediation:
          "The retention job runs hourly on the ops worker and deletes this data automatically: make sure the ops worker is running, then check the last run on the site's Retention panel.",
      },
    ];
  }
  return rule.kinds.flatMap(({ kind, code, noun }) => {
    const overdue = count(retention.overdue, kind);
    if (overdue === 0) return [];
    return [
      {
        ruleId: rule.ruleId,
        code,
        params: { count: overdue, hours: RETENTION_OVERDUE_HOURS },
        severity: "high" as const,
        target,
        message: `${noun} still stored more than ${RETENTION_OVERDUE_HOURS} hours after their retention period ended: ${overdue.toLocaleString("en-US")}.`,
        remediation: REMEDIATION_OVERDUE,
      },
    ];
  });
}
