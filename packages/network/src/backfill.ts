import { decryptString, RTSP_URL_CONTEXT } from "@consentry/crypto";
import { asc, type Database, inArray, isNull, schema, sql, writeAudit } from "@consentry/db";
import { cameraUrlFingerprint } from "./fingerprint";

const { cameras } = schema;

export type FingerprintBackfill = {
  fingerprinted: number;
  /** Cameras whose stream an earlier-registered camera already has: left for an administrator. */
  duplicates: { cameraId: string; orgId: string; masked: string }[];
};

/**
 * Gives cameras registered before migration 0007 their URL fingerprint, oldest first, so "one
 * stream, one organisation" holds for them too. A camera whose stream is already fingerprinted
 * keeps none and is reported. Run by `npm run db:migrate` after the migrations; idempotent.
 */
export async function backfillCameraFingerprints(db: Database, batchSize = 500): Promise<FingerprintBackfill> {
  const result: FingerprintBackfill = { fingerprinted: 0, duplicates: [] };
  // The ids first (small even for a large fleet), oldest first: the earliest camera keeps its stream.
  const pending = await db
    .select({ id: cameras.id })
    .from(cameras)
    .where(isNull(cameras.rtspUrlFingerprint))
    .orderBy(asc(cameras.createdAt), asc(cameras.id));
  for (let i = 0; i < pending.length; i += batchSize) {
    const ids = pending.slice(i, i + batchSize).map((row) => row.id);
    const batch = await db
      .select({ id: cameras.id, orgId: cameras.orgId, enc: cameras.rtspUrlEnc, masked: cameras.rtspUrlMasked })
      .from(cameras)
      .where(inArray(cameras.id, ids));
    const byId = new Map(batch.map((camera) => [camera.id, camera]));
    for (const id of ids) {
      const camera = byId.get(id);
      if (!camera) continue; // deleted meanwhile
      const fingerprint = cameraUrlFingerprint(decryptString(camera.enc, RTSP_URL_CONTEXT));
      const updated = await db.execute(sql`
        update ${cameras} set rtsp_url_fingerprint = ${fingerprint}
        where id = ${camera.id} and rtsp_url_fingerprint is null
          and not exists (select 1 from ${cameras} where rtsp_url_fingerprint = ${fingerprint})
        returning id`);
      if (updated.length > 0) result.fingerprinted++;
      else result.duplicates.push({ cameraId: camera.id, orgId: camera.orgId, masked: camera.masked });
    }
  }
  if (result.fingerprinted > 0 || result.duplicates.length > 0) {
    await db.transaction((tx) =>
      writeAudit(tx, {
        actor: { userId: null, label: "system:migrate" },
        orgId: null,
        action: "camera.fingerprint_backfill",
        targetType: "camera",
        details: { fingerprinted: result.fingerprinted, duplicates: result.duplicates.map((d) => d.cameraId) },
      }),
    );
  }
  return result;
}
