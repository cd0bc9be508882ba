import { schema } from "@consentry/db";

const { cameras, sites } = schema;

/** What the fleet list shows of a camera (joined with its site); the camera page shows more. */
export const cameraListColumns = {
  id: cameras.id,
  name: cameras.name,
  siteId: cameras.siteId,
  siteName: sites.name,
  entryPointId: cameras.entryPointId,
  locationType: cameras.locationType,
  frEnabled: cameras.frEnabled,
  analysisFps: cameras.analysisFps,
  status: cameras.status,
  lastSeenAt: cameras.lastSeenAt,
  rtspUrlMasked: cameras.rtspUrlMasked,
  disabledAt: cameras.disabledAt,
};
