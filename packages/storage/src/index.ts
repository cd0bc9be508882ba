export { createFileStore, type FileStore, StorageKeyError, type StoredKind, sha256Hex } from "./file-store";
export { ImageRejectedError, type ImageRejection, sanitizeImage } from "./image";
