import { decryptBytes, encryptBytes } from "@consentry/crypto";
import type { FileStore } from "@consentry/storage";

/**
 * The additional data bound to a recognition event's snapshot (sites opt in: `eventSnapshots`).
 * The inference worker blurs every face but the recognised person's in memory, then seals the
 * JPEG with this before it reaches the disk; a ciphertext copied elsewhere fails to open.
 */
export const EVENT_SNAPSHOT_CONTEXT = "recognition_events.snapshot";

/** Stores an already blurred snapshot, encrypted at rest; returns its storage key. */
export async function storeEventSnapshot(storage: Pick<FileStore, "put">, jpeg: Uint8Array): Promise<string> {
  const sealed = Buffer.from(encryptBytes(jpeg, EVENT_SNAPSHOT_CONTEXT));
  return (await storage.put("event-snapshot", sealed, "bin")).key;
}

/** A stored snapshot's JPEG bytes. */
export async function readEventSnapshot(storage: Pick<FileStore, "read">, key: string): Promise<Buffer> {
  return decryptBytes((await storage.read(key)).toString(), EVENT_SNAPSHOT_CONTEXT);
}
