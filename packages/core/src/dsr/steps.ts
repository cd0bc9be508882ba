import { and, type Database, eq, inArray, isNotNull, isNull, notExists, type SQL, schema, sql } from "@consentry/db";
import { removeMailTo } from "@consentry/mail/dev-server";
import { findPersonJobs, removePersonJobs } from "@consentry/queue";
import { type FileStore, StorageKeyError } from "@consentry/storage";
import { dropPersonIdsFromSnapshots } from "../compliance/snapshots";
import { removeUnsharedPhotoFiles } from "../photo-files";
import { type ErasureReach, missingEnrolments, personNeedles } from "./person";
import { addProgress } from "./progress";
import type { ResidualTable } from "./residue";

const { consents, dsrRequests, enrolmentPhotos, enrolments, faceTemplates, subjects } = schema;

/** What the steps of one pass work on. */
export type StepContext = ErasureReach & {
  db: Database;
  storage: FileStore;
  requestId: string;
  subjectId: string;
  referenceCode: string;
  now: Date;
  /** 1 for the first run of the steps, 2 for the one after residual data was found, … */
  pass: number;
  /** Set by `photoFiles` for `enrolmentPhotos`: the subject's photo keys, and those whose file is gone. */
  photos?: { keys: string[]; removable: Set<string> };
};

/**
 * A step of the erasure. It commits on its own (counts and deletions in one transaction), so
 * running it again after a crash finds nothing more and adds zero. `residue` is how the residual
 * scan counts what the step should have left nothing of in its table (null: nothing in a table).
 * A step returns "again" to have every step run once more.
 */
export type StepDefinition = {
  name: string;
  // biome-ignore lint/suspicious/noConfusingVoidType: the steps that never ask for another pass return nothing
  run: (step: StepContext) => Promise<void | "again">;
  residue: { table: ResidualTable; rows: (subjectId: string) => SQL } | null;
};

/**
 * First, so the rest of the system stops using the person at once: galleries and enrolment
 * skip erased subjects. The pseudonym row stays, so audit entries keep pointing somewhere.
 */
async function eraseSubjectDetails({ db, subjectId, now }: StepContext) {
  await db
    .update(subjects)
    .set({
      displayNameEnc: null,
      contactEnc: null,
      birthYear: null,
      erasedAt: sql`coalesce(${subjects.erasedAt}, ${now.toISOString()}::timestamptz)`,
    })
    .where(eq(subjects.id, subjectId));
}

/** Consent records stay as evidence of what was lawful when, but end now; a guardian's name goes. */
async function withdrawConsents({ db, requestId, subjectId, referenceCode, now }: StepContext) {
  await db.transaction(async (tx) => {
    const withdrawn = await tx
      .update(consents)
      .set({ withdrawnAt: now, withdrawalReason: `erasure request ${referenceCode}`, guardianNameEnc: null })
      .where(and(eq(consents.subjectId, subjectId), isNull(consents.withdrawnAt)))
      .returning({ id: consents.id });
    await tx
      .update(consents)
      .set({ guardianNameEnc: null })
      .where(and(eq(consents.subjectId, subjectId), isNotNull(consents.guardianNameEnc)));
    await addProgress(tx, requestId, { consentsWithdrawn: withdrawn.length });
  });
}

/**
 * Before the templates: deleting a template would otherwise rewrite each of its events (set null).
 * An event's snapshot file goes in the same transaction, after the delete and before the commit: a
 * failed removal keeps the rows for the retry, a crash after it leaves rows whose files are gone
 * (removed again, a no-op). The snapshot keys join the keys the residual scan checks are gone.
 */
async function deleteRecognitionEvents({ db, storage, requestId, subjectId }: StepContext) {
  await db.transaction(async (tx) => {
    const [deleted] = await tx.execute<{ count: number; model_ids: string[] | null; snapshots: string[] | null }>(sql`
      with deleted as (
        delete from recognition_events where subject_id = ${subjectId} returning model_id, snapshot_path)
      select count(*)::int as count, array_agg(distinct model_id) filter (where model_id is not null) as model_ids,
        array_agg(snapshot_path) filter (where snapshot_path is not null) as snapshots
      from deleted`);
    const snapshots = deleted?.snapshots ?? [];
    for (const key of snapshots) {
      try {
        await storage.remove(key);
      } catch (error) {
        if (!(error instanceof StorageKeyError)) throw error;
      }
    }
    await addProgress(tx, requestId, {
      recognitionEvents: deleted?.count ?? 0,
      modelIds: deleted?.model_ids ?? [],
      photoKeys: snapshots,
    });
  });
}

/**
 * Files first, then their rows: a crash in between leaves rows whose files are gone, and the
 * retry removes them again (a no-op) and counts them once, when the rows go.
 */
async function removePhotoFiles(step: StepContext) {
  const { db, storage, subjectId } = step;
  const photos = await db
    .select({ id: enrolmentPhotos.id, key: enrolmentPhotos.storageKey })
    .from(enrolmentPhotos)
    .where(eq(enrolmentPhotos.subjectId, subjectId));
  const keys = [...new Set(photos.map((photo) => photo.key))];
  // Content-addressed storage: a file another person's photo also points to stays.
  const removable = await removeUnsharedPhotoFiles(db, storage, photos);
  step.photos = { keys, removable };
}

/** The rows of the photos `photoFiles` saw, counting the files it removed. */
async function deletePhotoRows({ db, requestId, subjectId, photos }: StepContext) {
  if (!photos) throw new Error("the photoFiles step runs before the enrolmentPhotos step");
  const { keys, removable } = photos;
  await db.transaction(async (tx) => {
    const deleted = keys.length
      ? await tx
          .delete(enrolmentPhotos)
          .where(and(eq(enrolmentPhotos.subjectId, subjectId), inArray(enrolmentPhotos.storageKey, keys)))
          .returning({ key: enrolmentPhotos.storageKey })
      : [];
    const removedKeys = [...new Set(deleted.map((row) => row.key))].filter((key) => removable.has(key));
    await addProgress(tx, requestId, {
      enrolmentPhotos: deleted.length,
      photoFiles: removedKeys.length,
      photoKeys: removedKeys,
    });
  });
}

/** Only enrolments whose photos are gone: a cascade must never drop a photo row whose file stays. */
async function deleteEnrolments({ db, requestId, subjectId }: StepContext) {
  await db.transaction(async (tx) => {
    const deleted = await tx
      .delete(enrolments)
      .where(
        and(
          eq(enrolments.subjectId, subjectId),
          notExists(
            tx
              .select({ id: enrolmentPhotos.id })
              .from(enrolmentPhotos)
              .where(eq(enrolmentPhotos.enrolmentId, enrolments.id)),
          ),
        ),
      )
      .returning({ id: enrolments.id });
    await addProgress(tx, requestId, { enrolments: deleted.length });
  });
}

async function deleteTemplates({ db, requestId, subjectId }: StepContext) {
  await db.transaction(async (tx) => {
    const deleted = await tx
      .delete(faceTemplates)
      .where(eq(faceTemplates.subjectId, subjectId))
      .returning({ siteId: faceTemplates.siteId, modelId: faceTemplates.modelId });
    await addProgress(tx, requestId, {
      templates: deleted.length,
      siteIds: deleted.map((row) => row.siteId),
      modelIds: deleted.map((row) => row.modelId),
    });
  });
}

/**
 * The person's other closed portal requests keep only their contact's keyed hash. This request's
 * contact goes with the certificate (the steps below still need it to find the person's mail).
 */
async function pseudonymiseRequestContacts({ db, subjectId, now }: StepContext) {
  await db
    .update(dsrRequests)
    .set({ contactEnc: null, contactPseudonymisedAt: now })
    .where(
      and(
        eq(dsrRequests.subjectId, subjectId),
        inArray(dsrRequests.status, ["completed", "refused"]),
        isNotNull(dsrRequests.contactEnc),
      ),
    );
}

/**
 * Snapshots name people by pseudonym only, but those written before that still hold subject,
 * template and request ids: the organisation's since the person was added lose them. The
 * template ids are gone from the database by now, so every person target's id goes.
 */
async function dropIdsFromSnapshots({ db, subjectId }: StepContext) {
  await dropPersonIdsFromSnapshots(
    db,
    sql`cs.org_id = (select org_id from subjects where id = ${subjectId})
      and cs.at >= (select created_at from subjects where id = ${subjectId})`,
  );
}

/**
 * BullMQ jobs that name the person (template deletions carry their id) or an enrolment that is
 * gone, finished or waiting: removed. Running ones stay until they finish (the scan then asks for
 * another pass). The erasure's own job goes when it completes (`removeOnComplete`), and the ops
 * worker removes its events, written after this.
 */
async function removePersonJobsFromRedis({ db, redis, requestId, subjectId }: StepContext) {
  if (!redis) return;
  const { pseudonym, texts } = await personNeedles(db, requestId, subjectId);
  const jobs = await findPersonJobs(redis.client, redis.prefix, {
    subjectId,
    needles: [...(pseudonym ? [pseudonym] : []), ...texts],
    missingEnrolments: (ids) => missingEnrolments(db, ids),
  });
  await removePersonJobs(redis.client, redis.prefix, jobs);
}

/** In development, the messages the portal sent to the person (the dev mailbox). */
async function removeDevMail({ db, devMailboxDir, requestId, subjectId }: StepContext) {
  if (!devMailboxDir) return;
  const { emails } = await personNeedles(db, requestId, subjectId);
  for (const email of emails) await removeMailTo(devMailboxDir, email);
}

/**
 * The steps that erase, in order, each with the residual scan's count of what it leaves behind:
 * rows in every table that refers to the subject, a consent not yet ended or naming a guardian,
 * the subject's own name, contact and birth year. (The files, enrolment photos and event
 * snapshots, are checked by key.)
 */
export const ERASING_STEPS = [
  {
    name: "subject",
    run: eraseSubjectDetails,
    residue: {
      table: "subjects",
      rows: (subjectId: string) => sql`select count(*)::int from subjects where id = ${subjectId}
         and (erased_at is null or display_name_enc is not null or contact_enc is not null or birth_year is not null)`,
    },
  },
  {
    name: "consents",
    run: withdrawConsents,
    residue: {
      table: "consents",
      rows: (subjectId: string) => sql`select count(*)::int from consents where subject_id = ${subjectId}
         and (withdrawn_at is null or guardian_name_enc is not null)`,
    },
  },
  {
    name: "recognitionEvents",
    run: deleteRecognitionEvents,
    residue: {
      table: "recognition_events",
      rows: (subjectId: string) => sql`select count(*)::int from recognition_events where subject_id = ${subjectId}`,
    },
  },
  { name: "photoFiles", run: removePhotoFiles, residue: null },
  {
    name: "enrolmentPhotos",
    run: deletePhotoRows,
    residue: {
      table: "enrolment_photos",
      rows: (subjectId: string) => sql`select count(*)::int from enrolment_photos where subject_id = ${subjectId}`,
    },
  },
  {
    name: "enrolments",
    run: deleteEnrolments,
    residue: {
      table: "enrolments",
      rows: (subjectId: string) => sql`select count(*)::int from enrolments where subject_id = ${subjectId}`,
    },
  },
  {
    name: "templates",
    run: deleteTemplates,
    residue: {
      table: "face_templates",
      rows: (subjectId: string) => sql`select count(*)::int from face_templates where subject_id = ${subjectId}`,
    },
  },
  {
    name: "requestContacts",
    run: pseudonymiseRequestContacts,
    residue: {
      table: "dsr_requests",
      rows: (subjectId: string) => sql`select count(*)::int from dsr_requests where subject_id = ${subjectId}
         and status in ('completed', 'refused') and contact_enc is not null`,
    },
  },
  { name: "complianceSnapshots", run: dropIdsFromSnapshots, residue: null },
  { name: "redisJobs", run: removePersonJobsFromRedis, residue: null },
  { name: "devMailbox", run: removeDevMail, residue: null },
] as const satisfies readonly StepDefinition[];
