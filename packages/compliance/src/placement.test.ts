import { describe, expect, it } from "vitest";
import { checkCameraPlacement, PRIVATE_SPACES } from "./placement";

describe("camera placement", () => {
  it("allows cameras with or without face recognition in ordinary places", () => {
    expect(checkCameraPlacement({ locationType: "entrance", frEnabled: true })).toBeNull();
    expect(checkCameraPlacement({ locationType: "lobby", frEnabled: false })).toBeNull();
  });

  it("refuses any camera in a private space (CN-CAM-01)", () => {
    for (const locationType of PRIVATE_SPACES) {
      expect(checkCameraPlacement({ locationType, frEnabled: false })?.ruleId).toBe("CN-CAM-01");
    }
  });

  it("names CN-FR-13 when face recognition is asked for in a private space", () => {
    expect(checkCameraPlacement({ locationType: "changing_room", frEnabled: true })).toMatchObject({
      ruleId: "CN-FR-13",
      message: expect.stringContaining("CN-FR-13"),
    });
  });
});
