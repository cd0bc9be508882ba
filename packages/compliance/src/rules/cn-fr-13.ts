// CN-FR-13: no face-recognition device inside private spaces of public venues (Measures Art. 13).
import { isPrivateSpace } from "../placement";
import type { SiteRule } from "./rule";
import { cameraTarget } from "./targets";

export const cnFr13: SiteRule = {
  id: "CN-FR-13",
  scope: "site",
  title: "No face recognition in private spaces",
  check: (site) =>
    site.facts.cameras
      .filter((camera) => camera.frEnabled && isPrivateSpace(camera.locationType))
      .map((camera) => ({
        ruleId: "CN-FR-13",
        code: "CN-FR-13.frInPrivateSpace",
        params: { camera: camera.name, locationType: camera.locationType },
        severity: "critical",
        target: cameraTarget(camera),
        message: `Camera "${camera.name}" has face recognition enabled inside a private space (${camera.locationType}).`,
        remediation: "Switch face recognition off immediately and remove the device from the private space.",
      })),
};
