// CN-FR-12: in public places, face recognition only where needed for public security, with a
// limited capture area and prominent signs (Measures Art. 13; PIPL 26).
import type { Purpose } from "../facts";
import type { Finding } from "../findings";
import type { SiteRule } from "./rule";
import { cameraTarget, purposeText } from "./targets";

/** Purposes that count as maintaining public security (none of the database's current purposes does). */
export const PUBLIC_SECURITY_PURPOSES: readonly Purpose[] = ["public_security"];

export const cnFr12: SiteRule = {
  id: "CN-FR-12",
  scope: "site",
  title: "Public places: public security or consent",
  check(site) {
    const findings: Finding[] = [];
    for (const camera of site.frCameras) {
      const entryPoint = camera.entryPointId ? site.entryPointsById.get(camera.entryPointId) : undefined;
      const isPublic = site.facts.site.isPublicPlace === true || entryPoint?.isPublicPlace === true;
      if (!isPublic) continue;
      const purpose = entryPoint?.purpose ?? null;
      if (purpose !== null && (PUBLIC_SECURITY_PURPOSES.includes(purpose) || site.consentedPurposes.has(purpose)))
        continue;
      findings.push({
        ruleId: "CN-FR-12",
        code: purpose ? "CN-FR-12.publicPlaceWithoutBasis" : "CN-FR-12.publicPlaceNoPurpose",
        params: purpose ? { camera: camera.name, purpose } : { camera: camera.name },
        severity: "high",
        target: cameraTarget(camera),
        message: `Camera "${camera.name}" runs face recognition in a public place for ${purpose ? purposeText(purpose) : "no stated purpose"}, which is not public security, and nobody has consented to that purpose.`,
        remediation:
          "Switch face recognition off here, or restrict it to enrolled subjects who gave separate consent for this purpose, with a limited capture area and prominent signs.",
      });
    }
    return findings;
  },
};
