import { decryptBytes, encryptBytes } from "@consentry/crypto";
import { type AuditActor, and, type Database, eq, isNotNull, schema, writeAudit } from "@consentry/db";
import type { FileStore } from "@consentry/storage";
import { notFound } from "../errors";

const { recognitionEvents } = schema;

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

/**
 * Where an event's snapshot is stored, for the route that serves it. A picture of a person: each
 * look is audited like a contact reveal, naming the event and never the storage key.
 */
export async function findEventSnapshot(
  deps: { db: Database; actor: AuditActor; orgId: string },
  input: { eventId: number },
): Promise<{ key: string }> {
  const [event] = await deps.db
    .select({ key: recognitionEvents.snapshotPath, subjectId: recognitionEvents.subjectId })
    .from(recognitionEvents)
    .where(
      and(
        eq(recognitionEvents.id, input.eventId),
        eq(recognitionEvents.orgId, deps.orgId),
        isNotNull(recognitionEvents.snapshotPath),
      ),
    );
  if (!event?.key) return notFound("Snapshot");
  await deps.db.transaction((tx) =>
    writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "recognition.snapshot.view",
      targetType: "recognition_event",
      targetId: String(input.eventId),
      details: { subjectId: event.subjectId },
    }),
  );
  return { key: event.key };
}
