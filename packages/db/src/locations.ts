import { type cameraLocationType, PRIVATE_LOCATION_TYPES } from "./schema/enums";

export type CameraLocationType = (typeof cameraLocationType.enumValues)[number];

const privateLocations: ReadonlySet<string> = new Set(PRIVATE_LOCATION_TYPES);

/** Whether a camera location is a private space (CN-CAM-01, CN-FR-13). */
export const isPrivateLocation = (location: CameraLocationType) => privateLocations.has(location);
