import { createHash } from "node:crypto";
import {
  and,
  canonicalJson,
  type Database,
  type Executor,
  eq,
  inArray,
  isNotNull,
  isNull,
  ne,
  notExists,
  schema,
  sql,
  writeAudit,
} from "@consentry/db";
import type { TemplateDeletionJob } from "@consentry/queue";
import { type FileStore, StorageKeyError } from "@consentry/storage";

const {
  consents,
  dsrErasures,
  dsrRequests,
  enrolmentPhotos,
  enrolments,
  faceTemplates,
  organizations,
  sites,
  subjects,
} = schema;

const OPS_ACTOR = { userId: null, label: "ops-worker" } as const;
/** Class id of the per-subject erasure lock (two-key advisory locks never collide with one-key ones). */
const SUBJECT_ERASURE_LOCK = 0x64737200;
/** A subject's erasure waits this long for another erasure of the same subject before giving up (and retrying). */
const SUBJECT_LOCK_TIMEOUT = "60s";
/** Runs of the steps before residual data (written while erasing) fails the attempt. */
const MAX_PASSES = 3;

/** The steps in order. Each commits on its own; `afterStep` runs after each one. */
export const ERASURE_STEPS = [
  "subject",
  "consents",
  "recognitionEvents",
  "photoFiles",
  "enrolmentPhotos",
  "enrolments",
  "templates",
  "residualScan",
] as const;
export type ErasureStep = (typeof ERASURE_STEPS)[number];

export type ErasureCounts = {
  templates: number;
  enrolmentPhotos: number;
  photoFiles: number;
  enrolments: number;
  recognitionEvents: number;
  consentsWithdrawn: number;
};

/** Tables the residual scan checks for anything left of the subject. */
export const RESIDUAL_SCAN_TABLES = [
  "face_templates",
  "enrolment_photos",
  "enrolments",
  "recognition_events",
  "consents",
  "subjects",
] as const;

/** What the data subject receives: its SHA-256 over `canonicalJson(certificate)` is stored and audited. */
export type DeletionCertificate = {
  version: 1;
  requestReference: string;
  organisation: { id: string; name: string };
  site: { id: string; code: string; name: string };
  subject: { pseudonym: string };
  requestVerifiedAt: string | null;
  /** When the residual scan found nothing left and the certificate was issued. */
  erasedAt: string;
  /** Nothing was left to erase: an earlier request had already erased this subject. */
  alreadyErased: boolean;
  items: ErasureCounts;
  residualScan: {
    tablesChecked: string[];
    rowsFound: 0;
    storageKeysChecked: number;
    filesFound: 0;
  };
  modelIds: string[];
};

export type ErasureResult = {
  certificate: DeletionCertificate;
  sha256: string;
  /** Sites whose recognition galleries held the subject's templates: their caches must be invalidated. */
  siteIds: string[];
};

/** The request cannot be erased as it stands; retrying will not change that. */
export class ErasureRefusedError extends Error {
  override name = "ErasureRefusedError";
}

/** Something of the subject was still there after the steps ran (written while erasing); a retry erases it. */
export class ResidualDataError extends Error {
  override name = "ResidualDataError";
}

export type EraseSubjectOptions = {
  db: Database;
  storage: FileStore;
  requestId: string;
  now?: Date;
  /** Runs after each step has committed. Tests throw from it to simulate a crash between steps. */
  afterStep?: (step: ErasureStep) => void | Promise<void>;
};

type RequestRow = Awaited<ReturnType<typeof loadRequest>>;

async function loadRequest(db: Executor, requestId: string) {
  const [request] = await db
    .select({
      id: dsrRequests.id,
      orgId: dsrRequests.orgId,
      siteId: dsrRequests.siteId,
      subjectId: dsrRequests.subjectId,
      type: dsrRequests.type,
      status: dsrRequests.status,
      referenceCode: dsrRequests.referenceCode,
      verifiedAt: dsrRequests.verifiedAt,
      certificate: dsrRequests.certificate,
      certificateSha256: dsrRequests.certificateSha256,
    })
    .from(dsrRequests)
    .where(eq(dsrRequests.id, requestId));
  return request;
}

/** The stored result of a completed erasure: a retry gets the very same certificate. */
async function completedResult(db: Executor, request: NonNullable<RequestRow>): Promise<ErasureResult | null> {
  if (request.status !== "completed" || !request.certificate || !request.certificateSha256) return null;
  const [progress] = await db
    .select({ siteIds: dsrErasures.siteIds })
    .from(dsrErasures)
    .where(eq(dsrErasures.requestId, request.id));
  return {
    certificate: request.certificate as DeletionCertificate,
    sha256: request.certificateSha256,
    siteIds: progress?.siteIds ?? [],
  };
}

function erasableSubject(request: RequestRow): string {
  if (!request) throw new ErasureRefusedError("no such request");
  if (request.type !== "deletion") throw new ErasureRefusedError(`request ${request.id} is not a deletion request`);
  if (request.status !== "approved") {
    throw new ErasureRefusedError(`request ${request.id} is ${request.status}, not approved`);
  }
  if (!request.subjectId) throw new ErasureRefusedError(`request ${request.id} is not linked to a person`);
  return request.subjectId;
}

const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");
const union = (a: readonly string[], b: readonly string[] = []) => [...new Set([...a, ...b])].sort();

/**
 * Erases everything held about the subject of an approved deletion request and issues the
 * deletion certificate (CN-PI-03). Idempotent and resumable:
 * - every step deletes and adds its counts to `dsr_erasures` in one transaction, so a run that
 *   dies between (or inside) steps is resumed by running all steps again; finished steps find
 *   nothing more and add zero, and the certificate's counts equal an uninterrupted run's;
 * - a request that is already completed returns its stored certificate and does nothing;
 * - erasures of one subject are serialised by a transaction-level advisory lock held (on a
 *   connection of its own) for the whole run, so of two requests for one person the first
 *   erases everything and the second finds nothing left: its certificate counts zero and says
 *   `alreadyErased`. The lock dies with the connection, so a killed worker never leaves it held.
 *   The pool therefore needs a connection more than the erasures running at once.
 */
export async function eraseSubjectForRequest(options: EraseSubjectOptions): Promise<ErasureResult> {
  const { db, requestId } = options;
  const request = await loadRequest(db, requestId);
  if (request) {
    const done = await completedResult(db, request);
    if (done) return done;
  }
  const subjectId = erasableSubject(request);

  return db.transaction(async (lock) => {
    await lock.execute(sql.raw(`set local lock_timeout = '${SUBJECT_LOCK_TIMEOUT}'`));
    await lock.execute(sql`select pg_advisory_xact_lock(${SUBJECT_ERASURE_LOCK}::int, hashtext(${subjectId}))`);
    // Another run of this request may have finished while this one waited.
    const current = await loadRequest(db, requestId);
    if (current) {
      const done = await completedResult(db, current);
      if (done) return done;
    }
    if (erasableSubject(current) !== subjectId) {
      throw new Error(`request ${requestId} was linked to another person meanwhile; the retry locks that one`);
    }
    return runErasure({ ...options, request: current as NonNullable<RequestRow>, subjectId });
  });
}

type ProgressDelta = Partial<ErasureCounts> & { siteIds?: string[]; modelIds?: string[]; photoKeys?: string[] };

/** Adds a step's counts to the request's progress, inside the step's transaction. */
async function addProgress(tx: Executor, requestId: string, delta: ProgressDelta) {
  const [row] = await tx.select().from(dsrErasures).where(eq(dsrErasures.requestId, requestId)).for("update");
  if (!row) throw new Error(`erasure progress of request ${requestId} is missing`);
  await tx
    .update(dsrErasures)
    .set({
      templates: row.templates + (delta.templates ?? 0),
      enrolmentPhotos: row.enrolmentPhotos + (delta.enrolmentPhotos ?? 0),
      photoFiles: row.photoFiles + (delta.photoFiles ?? 0),
      enrolments: row.enrolments + (delta.enrolments ?? 0),
      recognitionEvents: row.recognitionEvents + (delta.recognitionEvents ?? 0),
      consentsWithdrawn: row.consentsWithdrawn + (delta.consentsWithdrawn ?? 0),
      siteIds: union(row.siteIds, delta.siteIds),
      modelIds: union(row.modelIds, delta.modelIds),
      photoKeys: union(row.photoKeys, delta.photoKeys),
    })
    .where(eq(dsrErasures.requestId, requestId));
}

async function runErasure(
  options: EraseSubjectOptions & { request: NonNullable<RequestRow>; subjectId: string },
): Promise<ErasureResult> {
  const { db, storage, request, subjectId, now = new Date() } = options;
  const requestId = request.id;
  const afterStep = options.afterStep ?? (() => {});

  const [subject] = await db
    .select({ orgId: subjects.orgId, erasedAt: subjects.erasedAt })
    .from(subjects)
    .where(eq(subjects.id, subjectId));
  if (!subject || subject.orgId !== request.orgId) {
    throw new ErasureRefusedError(`request ${requestId} names a person outside its organisation`);
  }
  // Read under the lock, so a second request sees the first one's erasure.
  await db
    .insert(dsrErasures)
    .values({ requestId, subjectId, subjectAlreadyErased: subject.erasedAt !== null, startedAt: now })
    .onConflictDoNothing();
  await db
    .update(dsrErasures)
    .set({ attempts: sql`${dsrErasures.attempts} + 1` })
    .where(eq(dsrErasures.requestId, requestId));

  for (let pass = 1; ; pass++) {
    await eraseSteps({ db, storage, requestId, subjectId, referenceCode: request.referenceCode, now, afterStep });
    const [progress] = await db.select().from(dsrErasures).where(eq(dsrErasures.requestId, requestId));
    const residue = await scanResidue(db, storage, subjectId, progress?.photoKeys ?? []);
    if (residue.rows + residue.files === 0) break;
    if (pass === MAX_PASSES) {
      throw new ResidualDataError(
        `subject ${subjectId} still has data after ${pass} passes: ${JSON.stringify(residue.byTable)}, ${residue.files} file(s)`,
      );
    }
  }
  await afterStep("residualScan");
  return issueCertificate(db, request, subjectId, now);
}

async function eraseSteps(input: {
  db: Database;
  storage: FileStore;
  requestId: string;
  subjectId: string;
  referenceCode: string;
  now: Date;
  afterStep: (step: ErasureStep) => void | Promise<void>;
}) {
  const { db, storage, requestId, subjectId, now, afterStep } = input;

  // First, so the rest of the system stops using the person at once: galleries and enrolment
  // skip erased subjects. The pseudonym row stays, so audit entries keep pointing somewhere.
  await db
    .update(subjects)
    .set({
      displayNameEnc: null,
      contactEnc: null,
      birthYear: null,
      erasedAt: sql`coalesce(${subjects.erasedAt}, ${now.toISOString()}::timestamptz)`,
    })
    .where(eq(subjects.id, subjectId));
  await afterStep("subject");

  // Consent records stay as evidence of what was lawful when, but end now; a guardian's name goes.
  await db.transaction(async (tx) => {
    const withdrawn = await tx
      .update(consents)
      .set({ withdrawnAt: now, withdrawalReason: `erasure request ${input.referenceCode}`, guardianNameEnc: null })
      .where(and(eq(consents.subjectId, subjectId), isNull(consents.withdrawnAt)))
      .returning({ id: consents.id });
    await tx
      .update(consents)
      .set({ guardianNameEnc: null })
      .where(and(eq(consents.subjectId, subjectId), isNotNull(consents.guardianNameEnc)));
    await addProgress(tx, requestId, { consentsWithdrawn: withdrawn.length });
  });
  await afterStep("consents");

  // Before the templates: deleting a template would otherwise rewrite each of its events (set null).
  await db.transaction(async (tx) => {
    const [deleted] = await tx.execute<{ count: number; model_ids: string[] | null }>(sql`
      with deleted as (delete from recognition_events where subject_id = ${subjectId} returning model_id)
      select count(*)::int as count, array_agg(distinct model_id) filter (where model_id is not null) as model_ids
      from deleted`);
    await addProgress(tx, requestId, {
      recognitionEvents: deleted?.count ?? 0,
      modelIds: deleted?.model_ids ?? [],
    });
  });
  await afterStep("recognitionEvents");

  // Files first, then their rows: a crash in between leaves rows whose files are gone, and the
  // retry removes them again (a no-op) and counts them once, when the rows go.
  const keys = (
    await db
      .selectDistinct({ key: enrolmentPhotos.storageKey })
      .from(enrolmentPhotos)
      .where(eq(enrolmentPhotos.subjectId, subjectId))
  ).map((row) => row.key);
  // Content-addressed storage: a file another person's photo also points to stays.
  const shared = keys.length
    ? new Set(
        (
          await db
            .selectDistinct({ key: enrolmentPhotos.storageKey })
            .from(enrolmentPhotos)
            .where(and(inArray(enrolmentPhotos.storageKey, keys), ne(enrolmentPhotos.subjectId, subjectId)))
        ).map((row) => row.key),
      )
    : new Set<string>();
  const removable = new Set<string>();
  for (const key of keys) {
    if (shared.has(key)) continue;
    try {
      await storage.remove(key);
      removable.add(key);
    } catch (error) {
      // A malformed key cannot name a file in the store; its row still goes.
      if (!(error instanceof StorageKeyError)) throw error;
    }
  }
  await afterStep("photoFiles");
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
  await afterStep("enrolmentPhotos");

  // Only enrolments whose photos are gone: a cascade must never drop a photo row whose file stays.
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
  await afterStep("enrolments");

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
  await afterStep("templates");
}

export type Residue = { rows: number; byTable: Record<string, number>; files: number; keysChecked: number };

/**
 * Everything that could still hold the subject's personal data: rows in every table that refers
 * to them, a consent not yet ended or naming a guardian, the subject's own name, contact and
 * birth year, and the photo files removed for them.
 */
export async function scanResidue(
  db: Executor,
  storage: FileStore,
  subjectId: string,
  photoKeys: readonly string[],
): Promise<Residue> {
  const [counts] = await db.execute<Record<(typeof RESIDUAL_SCAN_TABLES)[number], number>>(sql`
    select
      (select count(*)::int from face_templates where subject_id = ${subjectId}) as face_templates,
      (select count(*)::int from enrolment_photos where subject_id = ${subjectId}) as enrolment_photos,
      (select count(*)::int from enrolments where subject_id = ${subjectId}) as enrolments,
      (select count(*)::int from recognition_events where subject_id = ${subjectId}) as recognition_events,
      (select count(*)::int from consents where subject_id = ${subjectId}
         and (withdrawn_at is null or guardian_name_enc is not null)) as consents,
      (select count(*)::int from subjects where id = ${subjectId}
         and (erased_at is null or display_name_enc is not null or contact_enc is not null or birth_year is not null)) as subjects`);
  const byTable: Record<string, number> = {};
  let rows = 0;
  for (const table of RESIDUAL_SCAN_TABLES) {
    byTable[table] = Number(counts?.[table] ?? 0);
    rows += byTable[table];
  }
  let files = 0;
  for (const key of photoKeys) {
    try {
      await storage.read(key);
      files++;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return { rows, byTable, files, keysChecked: photoKeys.length };
}

/** Writes the certificate, closes the request and audits it, all in one transaction. */
async function issueCertificate(
  db: Database,
  request: NonNullable<RequestRow>,
  subjectId: string,
  now: Date,
): Promise<ErasureResult> {
  return db.transaction(async (tx) => {
    const current = await loadRequest(tx, request.id);
    if (current) {
      const done = await completedResult(tx, current);
      if (done) return done;
    }
    const [progress] = await tx.select().from(dsrErasures).where(eq(dsrErasures.requestId, request.id));
    const [context] = await tx
      .select({
        orgName: organizations.name,
        siteCode: sites.code,
        siteName: sites.name,
        pseudonym: subjects.pseudonym,
      })
      .from(dsrRequests)
      .innerJoin(organizations, eq(organizations.id, dsrRequests.orgId))
      .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
      .innerJoin(subjects, eq(subjects.id, subjectId))
      .where(eq(dsrRequests.id, request.id));
    if (!progress || !context) throw new Error(`request ${request.id} lost its erasure progress`);

    const items: ErasureCounts = {
      templates: progress.templates,
      enrolmentPhotos: progress.enrolmentPhotos,
      photoFiles: progress.photoFiles,
      enrolments: progress.enrolments,
      recognitionEvents: progress.recognitionEvents,
      consentsWithdrawn: progress.consentsWithdrawn,
    };
    const certificate: DeletionCertificate = {
      version: 1,
      requestReference: request.referenceCode,
      organisation: { id: request.orgId, name: context.orgName },
      site: { id: request.siteId, code: context.siteCode, name: context.siteName },
      subject: { pseudonym: context.pseudonym },
      requestVerifiedAt: request.verifiedAt?.toISOString() ?? null,
      erasedAt: now.toISOString(),
      alreadyErased: progress.subjectAlreadyErased && Object.values(items).every((count) => count === 0),
      items,
      residualScan: {
        tablesChecked: [...RESIDUAL_SCAN_TABLES],
        rowsFound: 0,
        storageKeysChecked: progress.photoKeys.length,
        filesFound: 0,
      },
      modelIds: progress.modelIds,
    };
    const sha256 = sha256Hex(canonicalJson(certificate));
    await tx
      .update(dsrRequests)
      .set({
        status: "completed",
        certificate,
        certificateSha256: sha256,
        closedAt: now,
        outcome: describeOutcome(certificate),
      })
      .where(eq(dsrRequests.id, request.id));
    await tx.update(dsrErasures).set({ completedAt: now }).where(eq(dsrErasures.requestId, request.id));
    await writeAudit(tx, {
      actor: OPS_ACTOR,
      orgId: request.orgId,
      action: "dsr.erasure.complete",
      targetType: "request",
      targetId: request.id,
      details: {
        referenceCode: request.referenceCode,
        pseudonym: context.pseudonym,
        certificateSha256: sha256,
        items,
        alreadyErased: certificate.alreadyErased,
        attempts: progress.attempts,
      },
    });
    return { certificate, sha256, siteIds: progress.siteIds };
  });
}

function describeOutcome({ items, alreadyErased }: DeletionCertificate): string {
  if (alreadyErased) return "Erased: nothing was left; an earlier request had already erased this person's data.";
  return (
    `Erased: face templates ${items.templates}, enrolment photos ${items.enrolmentPhotos} ` +
    `(files ${items.photoFiles}), enrolments ${items.enrolments}, recognition events ${items.recognitionEvents}; ` +
    `consents withdrawn ${items.consentsWithdrawn}. Nothing of this person's data remains.`
  );
}

/**
 * The `template-deletion` job after a consent withdrawal: deletes those of the job's templates
 * that are still queued for deletion (a template that lost its mark, or is gone, is left alone),
 * and audits how many. A retry after success deletes nothing and writes no entry. Returns the
 * sites whose galleries held them (their caches already skip queued templates).
 */
export async function deleteWithdrawnTemplates({ db, job }: { db: Database; job: TemplateDeletionJob }) {
  if (job.templateIds.length === 0) return { deleted: 0, siteIds: [] as string[] };
  return db.transaction(async (tx) => {
    const deleted = await tx
      .delete(faceTemplates)
      .where(
        and(
          inArray(faceTemplates.id, job.templateIds),
          eq(faceTemplates.subjectId, job.subjectId),
          isNotNull(faceTemplates.deletionQueuedAt),
        ),
      )
      .returning({ orgId: faceTemplates.orgId, siteId: faceTemplates.siteId });
    const first = deleted[0];
    if (!first) return { deleted: 0, siteIds: [] as string[] };
    const [subject] = await tx
      .select({ pseudonym: subjects.pseudonym })
      .from(subjects)
      .where(eq(subjects.id, job.subjectId));
    await writeAudit(tx, {
      actor: OPS_ACTOR,
      orgId: first.orgId,
      action: "template.delete",
      targetType: "subject",
      targetId: job.subjectId,
      details: {
        pseudonym: subject?.pseudonym ?? null,
        count: deleted.length,
        reason: job.reason,
        jobId: job.jobId,
      },
    });
    return { deleted: deleted.length, siteIds: union(deleted.map((row) => row.siteId)) };
  });
}
