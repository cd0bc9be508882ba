// CN-CAM-02: signs are displayed wherever cameras capture images (Decree 799; Measures Art. 13).
import type { SiteRule } from "./rule";
import { cameraTarget } from "./targets";

export const cnCam02: SiteRule = {
  id: "CN-CAM-02",
  scope: "site",
  title: "Verified signs at every face-recognition camera",
  check: (site, { settings }) =>
    site.frCameras
      .filter((camera) => !site.signedCameraIds.has(camera.id))
      .map((camera) => ({
        ruleId: "CN-CAM-02",
        code: "CN-CAM-02.signMissing",
        params: { camera: camera.name, maxAgeDays: settings.signVerificationMaxAgeDays },
        severity: "high",
        target: cameraTarget(camera),
        message: `Face-recognition camera "${camera.name}" is not covered by a sign verified in the last ${settings.signVerificationMaxAgeDays} days.`,
        remediation:
          "Put up a prominent sign covering the camera (or its entry point), photograph it and record the verification.",
      })),
};
