import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** What a stored file is, which is also the first folder of its key. */
export type StoredKind =
  | "sign-evidence"
  | "enrolment-photo"
  | "event-snapshot"
  | "deletion-certificate"
  | "assessment-document";

export class StorageKeyError extends Error {
  override name = "StorageKeyError";
}

// Keys come back from the database; checking their shape keeps a tampered row from reading
// or deleting anything outside the store.
const KEY_PATTERN = /^[a-z-]+\/[0-9a-f]{2}\/[0-9a-f]{64}\.(jpg|json|bin)$/;

export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * Files on local disk (or a mounted volume), addressed by the SHA-256 of their content: the
 * key is the proof of integrity, and storing the same bytes twice stores them once.
 */
export function createFileStore(root: string) {
  const pathOf = (key: string) => {
    if (!KEY_PATTERN.test(key)) throw new StorageKeyError(`"${key.slice(0, 80)}" is not a storage key`);
    return join(root, key);
  };
  return {
    root,
    async put(kind: StoredKind, bytes: Uint8Array, extension: "jpg" | "json" | "bin") {
      const sha256 = sha256Hex(bytes);
      const key = `${kind}/${sha256.slice(0, 2)}/${sha256}.${extension}`;
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Write then rename, so a reader never sees half a file.
      const partial = `${path}.${randomUUID()}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, path);
      return { key, sha256 };
    },
    read: (key: string) => readFile(pathOf(key)),
    remove: (key: string) => rm(pathOf(key), { force: true }),
  };
}

export type FileStore = ReturnType<typeof createFileStore>;
