// Where cameras may go at all, and where face recognition may run (COMPLIANCE_RULES.md).
// Pure: the API calls it before writing, the rules engine will report the same rule ids.

/** Private spaces of public venues (Measures Art. 13; Decree 799). */
export const PRIVATE_SPACES = [
  "hotel_room",
  "public_bath",
  "changing_room",
  "public_toilet",
  "fitting_room",
  "nursing_room",
  "dormitory_room",
  "staff_rest_room",
] as const;

export type PlacementViolation = { ruleId: "CN-CAM-01" | "CN-FR-13"; message: string };

/** Whether a camera location type is one of the PRIVATE_SPACES. */
export const isPrivateSpace = (locationType: string) => (PRIVATE_SPACES as readonly string[]).includes(locationType);

/** The rule a camera at this location (with face recognition on or off) would break, if any. */
export function checkCameraPlacement(camera: { locationType: string; frEnabled: boolean }): PlacementViolation | null {
  if (!isPrivateSpace(camera.locationType)) return null;
  if (camera.frEnabled) {
    return {
      ruleId: "CN-FR-13",
      message: `CN-FR-13: face recognition is forbidden inside private spaces (${camera.locationType}).`,
    };
  }
  return {
    ruleId: "CN-CAM-01",
    message: `CN-CAM-01: no camera may be installed in a private space (${camera.locationType}).`,
  };
}
