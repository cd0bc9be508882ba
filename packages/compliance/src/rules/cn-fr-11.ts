// CN-FR-11: nobody is misled or pressured into face recognition (Measures Art. 12).
import type { SiteRule } from "./rule";
import { entryPointTarget } from "./targets";

export const cnFr11: SiteRule = {
  id: "CN-FR-11",
  scope: "site",
  title: "Face recognition is not pushed as the default",
  check: (site) =>
    site.frEntryPoints
      .filter((entryPoint) => entryPoint.faceIsDefault)
      .map((entryPoint) => ({
        ruleId: "CN-FR-11",
        code: "CN-FR-11.faceIsDefault",
        params: { entryPoint: entryPoint.name },
        severity: "medium",
        target: entryPointTarget(entryPoint),
        message: `Entry point "${entryPoint.name}" presents face recognition as the only option; alternatives are not shown beside it.`,
        remediation:
          "Show the alternatives next to face recognition with equal prominence, and do not pre-select face.",
      })),
};
