import type { cameraLocationType } from "./schema/enums";

export type CameraLocationType = (typeof cameraLocationType.enumValues)[number];

/** Private spaces of public venues: no camera at all (CN-CAM-01), no face recognition (CN-FR-13). */
export const PRIVATE_LOCATION_TYPES: ReadonlySet<CameraLocationType> = new Set([
  "hotel_room",
  "public_bath",
  "changing_room",
  "public_toilet",
  "fitting_room",
  "nursing_room",
  "dormitory_room",
  "staff_rest_room",
]);
