import { asc, type Database, eq, schema } from "@consentry/db";
import { camerasToCsv } from "./csv";

const { cameras, sites, entryPoints } = schema;

/** The organisation's fleet as a dated CSV file, URLs masked. */
export async function exportCameras(deps: { db: Database; orgId: string }) {
  const rows = await deps.db
    .select({
      id: cameras.id,
      name: cameras.name,
      siteCode: sites.code,
      entryPoint: entryPoints.name,
      locationType: cameras.locationType,
      frEnabled: cameras.frEnabled,
      analysisFps: cameras.analysisFps,
      rtspUrlMasked: cameras.rtspUrlMasked,
      status: cameras.status,
      lastSeenAt: cameras.lastSeenAt,
    })
    .from(cameras)
    .innerJoin(sites, eq(sites.id, cameras.siteId))
    .leftJoin(entryPoints, eq(entryPoints.id, cameras.entryPointId))
    .where(eq(cameras.orgId, deps.orgId))
    .orderBy(asc(sites.name), asc(cameras.name));
  return { filename: `cameras-${new Date().toISOString().slice(0, 10)}.csv`, csv: camerasToCsv(rows) };
}
