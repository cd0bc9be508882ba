// CN-FR-12: in public places, face recognition only where needed for public security, with a
// limited capture area and prominent signs (Measures Art. 13; PIPL 26). Catalogue v2: a person's
// consent does not make another purpose lawful there.
import type { Purpose } from "../facts";
import type { Finding } from "../findings";
import type { SiteRule } from "./rule";
import { cameraTarget, purposeText } from "./targets";

/** Purposes that count as maintaining public security. */
export const PUBLIC_SECURITY_PURPOSES: readonly Purpose[] = ["public_security"];

export const cnFr12: SiteRule = {
  id: "CN-FR-12",
  scope: "site",
  title: "Public places: public security only, with a limited capture area",
  check(site) {
    const findings: Finding[] = [];
    for (const camera of site.frCameras) {
      const entryPoint = camera.entryPointId ? site.entryPointsById.get(camera.entryPointId) : undefined;
      const isPublic = site.facts.site.isPublicPlace === true || entryPoint?.isPublicPlace === true;
      if (!isPublic) continue;
      const purpose = entryPoint?.purpose ?? null;
      if (purpose !== null && PUBLIC_SECURITY_PURPOSES.includes(purpose)) {
        if (entryPoint?.captureAreaNote?.trim()) continue;
        findings.push({
          ruleId: "CN-FR-12",
          code: "CN-FR-12.captureAreaNotLimited",
          params: { camera: camera.name },
          severity: "medium",
          target: cameraTarget(camera),
          message: `Camera "${camera.name}" runs face recognition in a public place for public security, but no limit of its capture area is recorded.`,
          remediation:
            "Limit the camera's capture area to what public security needs and record how on its entry point (capture area).",
        });
        continue;
      }
      findings.push({
        ruleId: "CN-FR-12",
        code: purpose ? "CN-FR-12.publicPlaceWithoutBasis" : "CN-FR-12.publicPlaceNoPurpose",
        params: purpose ? { camera: camera.name, purpose } : { camera: camera.name },
        severity: "critical",
        target: cameraTarget(camera),
        message: `Camera "${camera.name}" runs face recognition in a public place for ${purpose ? purposeText(purpose) : "no stated purpose"}, which is not public security; consent does not make that lawful there.`,
        remediation:
          "Switch face recognition off here. In a public place it may only serve public security, with a limited capture area and prominent signs.",
      });
    }
    return findings;
  },
};
