// CN-CAM-01: no camera at all in private spaces of public venues (Decree 799).
import { isPrivateSpace } from "../placement";
import type { SiteRule } from "./rule";
import { cameraTarget } from "./targets";

export const cnCam01: SiteRule = {
  id: "CN-CAM-01",
  scope: "site",
  title: "No cameras in private spaces",
  check: (site) =>
    site.facts.cameras
      .filter((camera) => isPrivateSpace(camera.locationType))
      .map((camera) => ({
        ruleId: "CN-CAM-01",
        code: "CN-CAM-01.cameraInPrivateSpace",
        params: { camera: camera.name, locationType: camera.locationType },
        severity: "critical",
        target: cameraTarget(camera),
        message: `Camera "${camera.name}" is registered in a private space (${camera.locationType}), where no camera may be installed.`,
        remediation: "Remove the camera from the private space and delete its recordings there.",
      })),
};
