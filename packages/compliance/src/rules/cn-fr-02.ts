// CN-FR-02: each face-recognition deployment states a specific purpose and why it is necessary
// (Measures Art. 4; PIPL 28).
import type { Finding } from "../findings";
import type { SiteRule } from "./rule";
import { cameraTarget } from "./targets";

export const cnFr02: SiteRule = {
  id: "CN-FR-02",
  scope: "site",
  title: "Face recognition has a stated purpose and necessity",
  check(site) {
    const findings: Finding[] = [];
    for (const camera of site.frCameras) {
      const entryPoint = camera.entryPointId ? site.entryPointsById.get(camera.entryPointId) : undefined;
      const missing = [
        !entryPoint?.purpose && "purpose",
        !entryPoint?.necessityNote?.trim() && "necessity note",
      ].filter(Boolean);
      if (missing.length === 0) continue;
      findings.push({
        ruleId: "CN-FR-02",
        code: !entryPoint
          ? "CN-FR-02.noEntryPoint"
          : missing.length === 2
            ? "CN-FR-02.noPurposeOrNecessity"
            : missing[0] === "purpose"
              ? "CN-FR-02.noPurpose"
              : "CN-FR-02.noNecessityNote",
        params: entryPoint ? { camera: camera.name, entryPoint: entryPoint.name } : { camera: camera.name },
        severity: "high",
        target: cameraTarget(camera),
        message: entryPoint
          ? `Camera "${camera.name}" runs face recognition for entry point "${entryPoint.name}", which has no ${missing.join(" and no ")}.`
          : `Camera "${camera.name}" runs face recognition without an entry point, so no purpose or necessity is stated.`,
        remediation: entryPoint
          ? `Record the specific purpose and why face recognition is necessary on entry point "${entryPoint.name}", or switch face recognition off.`
          : "Assign the camera to an entry point with a stated purpose and necessity note, or switch face recognition off.",
      });
    }
    return findings;
  },
};
