import { type AuditActor, type Database, eq, schema, writeAudit } from "@consentry/db";
import { type FileStore, ImageRejectedError, sanitizeImage } from "@consentry/storage";
import { fieldError } from "../errors";
import { findSign } from "./find-sign";

const { signs } = schema;

/**
 * A photo proving the sign is up. Stored re-encoded, so no EXIF (GPS, device ids) is kept,
 * under its content hash; the hash goes into the audit chain as well.
 */
export async function attachEvidence(
  deps: { db: Database; actor: AuditActor; orgId: string; storage: Pick<FileStore, "put"> },
  input: { signId: string; photo: Uint8Array },
) {
  await findSign(deps.db, deps.orgId, input.signId);
  const image = await sanitizeImage(input.photo).catch((error: unknown) => {
    if (error instanceof ImageRejectedError) throw fieldError("invalid", "photo", error.reason, error.message);
    throw error;
  });
  const { key, sha256 } = await deps.storage.put("sign-evidence", image.bytes, "jpg");
  return deps.db.transaction(async (tx) => {
    const sign = await findSign(tx, deps.orgId, input.signId);
    await tx.update(signs).set({ evidencePhotoPath: key, evidenceSha256: sha256 }).where(eq(signs.id, sign.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "sign.evidence",
      targetType: "sign",
      targetId: sign.id,
      details: { sha256, previousSha256: sign.evidenceSha256, width: image.width, height: image.height },
    });
    return { id: sign.id, sha256 };
  });
}
