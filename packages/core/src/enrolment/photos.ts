import { and, type Database, eq, inArray, notInArray, schema } from "@consentry/db";
import { type FileStore, StorageKeyError } from "@consentry/storage";
import type { EnrolmentBlock } from "./guard";

const { enrolmentPhotos, retentionPolicies } = schema;

export type PhotoRejection = "noFace" | "severalFaces" | "unreadable";
export type PhotoOutcome = "pending" | "accepted" | PhotoRejection;
const OUTCOMES: readonly string[] = ["pending", "accepted", "noFace", "severalFaces", "unreadable"];

/**
 * Refused photos and spent photos are deleted, so what the manager is shown of each photo lives
 * on the enrolment: `failure_reason` holds the enrolment's own reason (English, for the record),
 * then `stopped: <EnrolmentBlock>` when an erasure or withdrawal stopped it, then
 * `photos: <outcome> <outcome> …`, one per photo in upload order. apps/web's enrolment section
 * reads the last two lines and shows them translated.
 */
const OUTCOMES_LINE = "photos: ";
const BLOCK_LINE = "stopped: ";
const BLOCKS: readonly string[] = ["subjectErased", "erasureInProgress", "consentWithdrawn"] satisfies EnrolmentBlock[];

export function enrolmentReason(
  message: string | null,
  outcomes: readonly PhotoOutcome[],
  block: EnrolmentBlock | null = null,
): string | null {
  const lines = [
    message,
    block ? `${BLOCK_LINE}${block}` : null,
    outcomes.length > 0 ? `${OUTCOMES_LINE}${outcomes.join(" ")}` : null,
  ].filter(Boolean);
  return lines.length > 0 ? lines.join("\n") : null;
}

export function parseEnrolmentReason(reason: string | null): {
  message: string | null;
  block: EnrolmentBlock | null;
  outcomes: PhotoOutcome[];
} {
  const message: string[] = [];
  let block: EnrolmentBlock | null = null;
  let outcomes: PhotoOutcome[] = [];
  for (const line of (reason ?? "").split("\n")) {
    const listed = line.startsWith(OUTCOMES_LINE) ? line.slice(OUTCOMES_LINE.length).split(" ") : null;
    if (listed?.every((outcome) => OUTCOMES.includes(outcome))) outcomes = listed as PhotoOutcome[];
    else if (line.startsWith(BLOCK_LINE) && BLOCKS.includes(line.slice(BLOCK_LINE.length))) {
      block = line.slice(BLOCK_LINE.length) as EnrolmentBlock;
    } else if (line) message.push(line);
  }
  return { message: message.join("\n") || null, block, outcomes };
}

/** Days the site keeps accepted enrolment photos for re-enrolment; 0 (also without a policy row): none. */
export async function photoRetentionDays(db: Database, siteId: string): Promise<number> {
  const [policy] = await db
    .select({ days: retentionPolicies.days })
    .from(retentionPolicies)
    .where(and(eq(retentionPolicies.siteId, siteId), eq(retentionPolicies.kind, "enrolment_photos")));
  return policy?.days ?? 0;
}

/**
 * Deletes enrolment photos: files first, then rows, so a crash in between leaves rows whose files
 * are gone and the retry removes them again (a no-op). Content-addressed storage: a file another
 * photo row also points to stays. Returns the number of rows deleted.
 */
export async function deleteEnrolmentPhotos(
  deps: { db: Database; storage: FileStore },
  photoIds: readonly string[],
): Promise<number> {
  if (photoIds.length === 0) return 0;
  const { db, storage } = deps;
  const ids = [...photoIds];
  const keys = (
    await db
      .selectDistinct({ key: enrolmentPhotos.storageKey })
      .from(enrolmentPhotos)
      .where(inArray(enrolmentPhotos.id, ids))
  ).map((row) => row.key);
  const shared = keys.length
    ? new Set(
        (
          await db
            .selectDistinct({ key: enrolmentPhotos.storageKey })
            .from(enrolmentPhotos)
            .where(and(inArray(enrolmentPhotos.storageKey, keys), notInArray(enrolmentPhotos.id, ids)))
        ).map((row) => row.key),
      )
    : new Set<string>();
  for (const key of keys) {
    if (shared.has(key)) continue;
    try {
      await storage.remove(key);
    } catch (error) {
      // A malformed key cannot name a file in the store; its row still goes.
      if (!(error instanceof StorageKeyError)) throw error;
    }
  }
  const deleted = await db
    .delete(enrolmentPhotos)
    .where(inArray(enrolmentPhotos.id, ids))
    .returning({ id: enrolmentPhotos.id });
  return deleted.length;
}
