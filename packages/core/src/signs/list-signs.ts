import { and, asc, type Database, eq, inArray, schema } from "@consentry/db";
import { requireSite } from "../lookups";

const { signs, signCameras, signEntryPoints } = schema;

/** A site's signs with what each covers; the evidence photo's path stays inside. */
export async function listSigns(deps: { db: Database; orgId: string }, input: { siteId: string }) {
  const { db, orgId } = deps;
  await requireSite(db, orgId, input.siteId);
  const rows = await db
    .select()
    .from(signs)
    .where(and(eq(signs.siteId, input.siteId), eq(signs.orgId, orgId)))
    .orderBy(asc(signs.location));
  const ids = rows.map((sign) => sign.id);
  const [cameraLinks, entryLinks] = ids.length
    ? await Promise.all([
        db.select().from(signCameras).where(inArray(signCameras.signId, ids)),
        db.select().from(signEntryPoints).where(inArray(signEntryPoints.signId, ids)),
      ])
    : [[], []];
  return rows.map(({ evidencePhotoPath, ...sign }) => ({
    ...sign,
    hasEvidence: evidencePhotoPath !== null && sign.evidenceSha256 !== null,
    cameraIds: cameraLinks.filter((link) => link.signId === sign.id).map((link) => link.cameraId),
    entryPointIds: entryLinks.filter((link) => link.signId === sign.id).map((link) => link.entryPointId),
  }));
}
