// What the engine reports: one finding per broken rule and thing it is about.

/** critical: unlawful now; high: fix before processing continues; medium: evidence missing or ageing; info: advice. */
export type Severity = "critical" | "high" | "medium" | "info";

export const SEVERITIES = ["critical", "high", "medium", "info"] as const satisfies readonly Severity[];

export type TargetType =
  | "site"
  | "camera"
  | "entryPoint"
  | "subject"
  | "sign"
  | "notice"
  | "template"
  | "request"
  | "organization";

export interface Target {
  type: TargetType;
  id: string;
  /** A name (site, camera, entry point), a reference, or a subject's pseudonym: never a person's name. */
  label: string;
}

export interface Finding {
  /** Stable id from COMPLIANCE_RULES.md, e.g. "CN-FR-04". */
  ruleId: string;
  severity: Severity;
  target: Target;
  /** Why, in a sentence an operator understands. */
  message: string;
  remediation: string;
  /** Something the platform should do on its own: CN-FR-07 and IL-15a findings ask it to queue the template's deletion. */
  action?: "queue_deletion";
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, high: 1, medium: 2, info: 3 };

/** Worst first; ties by rule id, then target, so the order is stable for snapshots and diffs. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    compareText(a.ruleId, b.ruleId) ||
    compareText(a.target.type, b.target.type) ||
    compareText(a.target.id, b.target.id)
  );
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
