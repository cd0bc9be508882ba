// CN-FR-09: face recognition is never the only way in (Measures Art. 10; PIPL 16; SPC Art. 10).
import type { SiteRule } from "./rule";
import { entryPointTarget } from "./targets";

export const cnFr09: SiteRule = {
  id: "CN-FR-09",
  scope: "site",
  title: "An alternative to face recognition at every entry point",
  check: (site) =>
    site.frEntryPoints
      .filter((entryPoint) => entryPoint.alternatives.length === 0)
      .map((entryPoint) => ({
        ruleId: "CN-FR-09",
        code: "CN-FR-09.noAlternative",
        params: { entryPoint: entryPoint.name },
        severity: "critical",
        target: entryPointTarget(entryPoint),
        message: `Entry point "${entryPoint.name}" offers face recognition as the only way in.`,
        remediation:
          "Offer a reasonable, convenient alternative (key card, PIN, QR code, staff check or ID document) and record it.",
      })),
};
