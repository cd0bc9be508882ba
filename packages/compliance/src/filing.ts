// Filing with the provincial cyberspace office (Measures Art. 15, CN-FR-15): a handler holding
// face data of 100,000 or more people files within 30 working days of reaching that number.
import type { FilingFacts } from "./facts";
import { workingDayDeadline } from "./working-days";

export const FILING_THRESHOLD = 100_000;
/** From this share of the threshold on, the engine advises preparing the filing. */
export const FILING_APPROACHING_SHARE = 0.8;
export const FILING_WORKING_DAYS = 30;

export type FilingStatus = "not_required" | "approaching" | "due" | "overdue" | "filed";

export interface FilingSummary {
  /** Distinct subjects with at least one face template across the organisation. */
  subjectsWithTemplates: number;
  threshold: typeof FILING_THRESHOLD;
  status: FilingStatus;
  /** End of the 30th working day after the threshold was reached; null unless due or overdue. */
  dueAt: Date | null;
}

export function summarizeFiling(subjectsWithTemplates: number, filing: FilingFacts | null, now: Date): FilingSummary {
  const summary = (status: FilingStatus, dueAt: Date | null = null): FilingSummary => ({
    subjectsWithTemplates,
    threshold: FILING_THRESHOLD,
    status,
    dueAt,
  });
  const deregisteredAt = filing?.deregisteredAt ?? null;
  const filedAt = filing?.filedAt ?? null;
  // A filing counts until it is deregistered; filing again after deregistering counts again.
  if (filedAt && (!deregisteredAt || deregisteredAt < filedAt)) return summary("filed");
  if (subjectsWithTemplates >= FILING_THRESHOLD) {
    const recorded = filing?.thresholdReachedAt ?? null;
    // Without a record (or one from before a deregistration) the threshold is taken as reached now.
    const reachedAt = recorded && (!deregisteredAt || recorded > deregisteredAt) ? recorded : now;
    const dueAt = workingDayDeadline(reachedAt, FILING_WORKING_DAYS);
    return summary(now > dueAt ? "overdue" : "due", dueAt);
  }
  if (subjectsWithTemplates >= FILING_THRESHOLD * FILING_APPROACHING_SHARE) return summary("approaching");
  return summary("not_required");
}
