import { type Executor, inArray, schema } from "@consentry/db";
import { type FileStore, StorageKeyError } from "@consentry/storage";

const { enrolmentPhotos } = schema;

/**
 * Removes the files of photo rows about to be deleted that no other row still points to: the store
 * is content-addressed, so two uploads of one image share a file. Call it before deleting the rows:
 * a crash in between leaves rows whose files are gone, and the retry's removal is a no-op. Returns
 * the keys whose files were removed (a malformed key names no file; its row still goes).
 */
export async function removeUnsharedPhotoFiles(
  db: Executor,
  storage: FileStore,
  leaving: readonly { id: string; key: string }[],
): Promise<Set<string>> {
  const keys = [...new Set(leaving.map((photo) => photo.key))];
  const removed = new Set<string>();
  if (keys.length === 0) return removed;
  // Every row on these files, through the storage_key index (a NOT IN list is compared row by row).
  const users = await db
    .select({ id: enrolmentPhotos.id, key: enrolmentPhotos.storageKey })
    .from(enrolmentPhotos)
    .where(inArray(enrolmentPhotos.storageKey, keys));
  const leavingIds = new Set(leaving.map((photo) => photo.id));
  const shared = new Set(users.filter((row) => !leavingIds.has(row.id)).map((row) => row.key));
  for (const key of keys) {
    if (shared.has(key)) continue;
    try {
      await storage.remove(key);
      removed.add(key);
    } catch (error) {
      if (!(error instanceof StorageKeyError)) throw error;
    }
  }
  return removed;
}
