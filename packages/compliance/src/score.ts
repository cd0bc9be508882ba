// A site's score: 100 minus a fixed weight per finding, never below 0, and at most 40 while any
// finding is critical, so one unlawful practice can never hide behind otherwise good evidence.
import type { Finding, Severity } from "./findings";

export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = { critical: 30, high: 10, medium: 4, info: 0 };

export const CRITICAL_SCORE_CAP = 40;

export function scoreFindings(findings: readonly Finding[]): number {
  let score = 100;
  let critical = false;
  for (const finding of findings) {
    score -= SEVERITY_WEIGHTS[finding.severity];
    if (finding.severity === "critical") critical = true;
  }
  score = Math.max(0, score);
  return critical ? Math.min(score, CRITICAL_SCORE_CAP) : score;
}
