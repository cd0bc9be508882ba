// CN-CAM-02: signs are displayed wherever cameras capture images, face recognition or not
// (Decree 799; Measures Art. 13). Catalogue v2 extends the check from FR cameras to every camera.
import type { Finding } from "../findings";
import type { SiteRule } from "./rule";
import { cameraTarget } from "./targets";

export const cnCam02: SiteRule = {
  id: "CN-CAM-02",
  scope: "site",
  title: "Verified signs at every camera",
  check(site, { settings }) {
    const maxAgeDays = settings.signVerificationMaxAgeDays;
    const findings: Finding[] = [];
    for (const camera of site.activeCameras) {
      if (site.signedCameraIds.has(camera.id)) continue;
      findings.push(
        camera.frEnabled
          ? {
              ruleId: "CN-CAM-02",
              code: "CN-CAM-02.signMissing",
              params: { camera: camera.name, maxAgeDays },
              severity: "high",
              target: cameraTarget(camera),
              message: `Face-recognition camera "${camera.name}" is not covered by a sign verified in the last ${maxAgeDays} days.`,
              remediation:
                "Put up a prominent sign covering the camera (or its entry point), photograph it and record the verification.",
            }
          : {
              ruleId: "CN-CAM-02",
              code: "CN-CAM-02.cameraSignMissing",
              params: { camera: camera.name, maxAgeDays },
              severity: "medium",
              target: cameraTarget(camera),
              message: `Camera "${camera.name}" is not covered by a sign verified in the last ${maxAgeDays} days.`,
              remediation:
                "Put up a sign showing that images are captured here, covering the camera (or its entry point), photograph it and record the verification.",
            },
      );
    }
    return findings;
  },
};
