import {
  and,
  type Database,
  desc,
  type Executor,
  eq,
  inArray,
  lt,
  type SQL,
  schema,
  sql,
  writeAudit,
} from "@consentry/db";
import { type FileStore, StorageKeyError } from "@consentry/storage";
import { certificateSha256 } from "../dsr/certificate";
import { OPS_ACTOR } from "../dsr/shared";
import { removeUnsharedPhotoFiles } from "../photo-files";

const { enrolmentPhotos, faceTemplates, retentionCertificates, retentionRuns } = schema;

/** What a retention run counts, per site; "photo_files" are the files behind deleted photo rows. */
export type RetentionCountKind =
  | "templates"
  | "recognition_events"
  | "unknown_face_counts"
  | "enrolment_photos"
  | "photo_files"
  | "camera_status_history"
  | "portal_requests"
  | "portal_contact"
  | "unverified_requests"
  | "sessions"
  | "verifications";
/** Counts by site id ("*" for installation-wide kinds), then kind. */
export type RetentionCounts = Record<string, Partial<Record<RetentionCountKind, number>>>;

/** Rows per statement: small enough that no lock is held long, large enough for a million rows a minute. */
export const RETENTION_BATCH_SIZE = 5_000;
/** A "running" run whose heartbeat is older than this was killed; the next run marks it interrupted. */
const HEARTBEAT_STALE_MS = 2 * 60_000;
const INSTALLATION = "*";

/** A Date as a SQL timestamptz (postgres.js refuses a Date for a raw query's parameter). */
const timestamp = (at: Date) => sql`${at.toISOString()}::timestamptz`;

/** The cut-off of a site's policy row for `kind`, as SQL over the site id expression. */
const cutoff = (now: Date, kind: string, siteId: SQL) =>
  sql`${timestamp(now)} - make_interval(days => (select days from retention_policies where site_id = ${siteId} and kind = ${kind}::retention_kind))`;

/**
 * Kinds kept per camera: found through the camera's site's policy, deleted camera by camera in time
 * order through their `(camera_id, time)` index, each batch starting where the last one stopped
 * (scanning from the start again would walk every row deleted before it: quadratic). A kind with
 * `file` names the column holding a stored file's key (an event's blurred snapshot): the files go
 * with the rows.
 */
const CAMERA_KINDS: Record<
  "recognition_events" | "unknown_face_counts" | "camera_status_history",
  { table: string; time: string; file?: string }
> = {
  recognition_events: { table: "recognition_events", time: "at", file: "snapshot_path" },
  unknown_face_counts: { table: "unknown_face_counts", time: "minute" },
  camera_status_history: { table: "camera_status_events", time: "at" },
};
type CameraKind = keyof typeof CAMERA_KINDS;

const cameraKindDue = (kind: CameraKind) => (now: Date) => {
  const { table, time } = CAMERA_KINDS[kind];
  return sql`select c.site_id from ${sql.identifier(table)} x join cameras c on c.id = x.camera_id
    where x.${sql.identifier(time)} < ${cutoff(now, kind, sql`c.site_id`)}`;
};

/**
 * Portal requests, by site: small tables, so each batch is one statement over all sites. `due` is a
 * select of the rows past their retention at `now` (with a `site_id` column); `purge` removes one
 * batch and returns a `site_id` per row.
 */
const REQUEST_KINDS: Record<
  "unverified_requests" | "portal_requests" | "portal_contact",
  { due: (now: Date) => SQL; purge: (now: Date, limit: number) => SQL }
> = {
  // Unverified requests never reached a person: the row goes whole.
  unverified_requests: {
    due: (now) => sql`select r.site_id from dsr_requests r where r.status = 'pending_verification'
      and r.submitted_at < ${cutoff(now, "unverified_requests", sql`r.site_id`)}`,
    purge: (now, limit) => sql`delete from dsr_requests where id in (
        select r.id from dsr_requests r where r.status = 'pending_verification'
        and r.submitted_at < ${cutoff(now, "unverified_requests", sql`r.site_id`)} limit ${limit})
      returning site_id`,
  },
  // A closed request goes whole after its period (checked first: no need to pseudonymise what goes) ...
  portal_requests: {
    due: (now) => sql`select r.site_id from dsr_requests r where r.closed_at is not null
      and r.closed_at < ${cutoff(now, "portal_requests", sql`r.site_id`)}`,
    purge: (now, limit) => sql`delete from dsr_requests where id in (
        select r.id from dsr_requests r where r.closed_at is not null
        and r.closed_at < ${cutoff(now, "portal_requests", sql`r.site_id`)} limit ${limit})
      returning site_id`,
  },
  // ... and before that, a closed request loses its contact (only the keyed hash stays).
  portal_contact: {
    due: (now) => sql`select r.site_id from dsr_requests r where r.closed_at is not null and r.contact_enc is not null
      and r.closed_at < ${cutoff(now, "portal_contact", sql`r.site_id`)}
      and r.closed_at >= ${cutoff(now, "portal_requests", sql`r.site_id`)}`,
    purge: (now, limit) => sql`update dsr_requests set contact_enc = null, contact_pseudonymised_at = ${timestamp(now)},
        verification_code_hash = null
      where id in (select r.id from dsr_requests r where r.closed_at is not null and r.contact_enc is not null
        and r.closed_at < ${cutoff(now, "portal_contact", sql`r.site_id`)} limit ${limit})
      returning site_id`,
  },
};

/** Templates unused for longer than their site's period, not already queued for a withdrawal's deletion. */
const dueTemplates = (now: Date) => sql`select t.site_id from face_templates t join sites s on s.id = t.site_id
  where t.deletion_queued_at is null
  and coalesce(t.last_used_at, t.created_at) < ${timestamp(now)} - make_interval(days => s.template_retention_days)`;

/**
 * Photos of finished enrolments that are due: refused ones at once (they may show bystanders),
 * accepted ones whose template is gone, and accepted ones older than the site's period (0 = at
 * once). Photos of enrolments still running are left to the enrolment job.
 */
const duePhotos = (now: Date) => sql`select p.id, p.storage_key, en.site_id from enrolment_photos p
  join enrolments en on en.id = p.enrolment_id
  where en.status in ('done', 'failed') and (
    p.status <> 'accepted' or p.template_id is null
    or en.finished_at < ${cutoff(now, "enrolment_photos", sql`en.site_id`)})`;

const countBySite = async (db: Executor, query: SQL, siteIds?: readonly string[]) => {
  // The filter sits on the outer select; PostgreSQL pushes it down into each due query's joins.
  const only = siteIds ? sql`where site_id in ${siteIds}` : sql``;
  const rows = await db.execute<{ site_id: string; count: number }>(
    sql`select site_id, count(*)::int as count from (${query}) due ${only} group by site_id`,
  );
  return rows.map((row) => ({ siteId: row.site_id, count: Number(row.count) }));
};

/**
 * What is past its retention at `now` and still stored, by site and kind (what a run at `now`
 * would delete). With `now` two hours back it is what the hourly job should already have deleted.
 */
export async function retentionDue(db: Executor, { now, siteIds }: { now: Date; siteIds?: readonly string[] }) {
  const due = new Map<string, Partial<Record<RetentionCountKind, number>>>();
  if (siteIds?.length === 0) return due;
  const add = (siteId: string, kind: RetentionCountKind, count: number) => {
    const site = due.get(siteId) ?? {};
    site[kind] = (site[kind] ?? 0) + count;
    due.set(siteId, site);
  };
  for (const { siteId, count } of await countBySite(db, dueTemplates(now), siteIds)) add(siteId, "templates", count);
  for (const { siteId, count } of await countBySite(db, duePhotos(now), siteIds)) {
    add(siteId, "enrolment_photos", count);
  }
  const queries: [RetentionCountKind, SQL][] = [
    ...(Object.keys(CAMERA_KINDS) as CameraKind[]).map((kind): [RetentionCountKind, SQL] => [
      kind,
      cameraKindDue(kind)(now),
    ]),
    ...Object.entries(REQUEST_KINDS).map(([kind, { due }]): [RetentionCountKind, SQL] => [
      kind as RetentionCountKind,
      due(now),
    ]),
  ];
  for (const [kind, query] of queries) {
    for (const { siteId, count } of await countBySite(db, query, siteIds)) add(siteId, kind, count);
  }
  return due;
}

export type RetentionRunResult = {
  runId: string;
  counts: RetentionCounts;
  /** Sites whose galleries lost templates: their inference caches must reload. */
  templateSiteIds: string[];
};

export type RetentionOptions = {
  db: Database;
  storage: FileStore;
  now?: Date;
  batchSize?: number;
  /** Called after each batch (tests kill a run here). */
  afterBatch?: (kind: RetentionCountKind, deleted: number) => void | Promise<void>;
};

/**
 * One run of the retention job: deletes everything past its retention in batches of `batchSize`
 * (each its own short statement or transaction, so readers never wait long), files included,
 * issues a retention certificate per template, and records the run's counts in `retention_runs`
 * as it goes and one audit entry at the end. Every batch re-selects what is due, so a run killed
 * anywhere is finished by the next (the killed run is marked interrupted, its counts kept).
 */
export async function runRetention(options: RetentionOptions): Promise<RetentionRunResult> {
  const { db, storage, now = new Date(), batchSize = RETENTION_BATCH_SIZE } = options;
  await db
    .update(retentionRuns)
    .set({ status: "interrupted", finishedAt: new Date() })
    .where(
      and(
        eq(retentionRuns.status, "running"),
        lt(retentionRuns.heartbeatAt, new Date(Date.now() - HEARTBEAT_STALE_MS)),
      ),
    );
  const [run] = await db.insert(retentionRuns).values({}).returning({ id: retentionRuns.id });
  if (!run) throw new Error("insert returned no row");
  const counts: RetentionCounts = {};
  const templateSiteIds = new Set<string>();
  const add = (siteId: string, kind: RetentionCountKind, count: number) => {
    if (count === 0) return;
    const site = counts[siteId] ?? {};
    site[kind] = (site[kind] ?? 0) + count;
    counts[siteId] = site;
  };
  const saveProgress = () =>
    db.update(retentionRuns).set({ counts, heartbeatAt: new Date() }).where(eq(retentionRuns.id, run.id));
  const afterBatch = async (kind: RetentionCountKind, deleted: number) => {
    await saveProgress();
    await options.afterBatch?.(kind, deleted);
  };

  try {
    // Events first: a template deleted before its expired events would rewrite each of them (template_id set null).
    for (const kind of Object.keys(CAMERA_KINDS) as CameraKind[]) {
      await purgeByCamera(db, storage, kind, now, batchSize, async (siteId, deleted) => {
        add(siteId, kind, deleted);
        await afterBatch(kind, deleted);
      });
    }
    // Then templates, whose photos go with them, then the photos no template needs.
    for (;;) {
      const batch = await purgeTemplates(db, storage, run.id, now, batchSize);
      for (const row of batch.sites) {
        add(row.siteId, "templates", row.templates);
        add(row.siteId, "enrolment_photos", row.photos);
        add(row.siteId, "photo_files", row.files);
        templateSiteIds.add(row.siteId);
      }
      const deleted = batch.sites.reduce((sum, row) => sum + row.templates, 0);
      if (deleted > 0) await afterBatch("templates", deleted);
      if (deleted < batchSize) break;
    }
    for (;;) {
      const batch = await purgePhotos(db, storage, now, batchSize);
      for (const row of batch) {
        add(row.siteId, "enrolment_photos", row.photos);
        add(row.siteId, "photo_files", row.files);
      }
      const deleted = batch.reduce((sum, row) => sum + row.photos, 0);
      if (deleted > 0) await afterBatch("enrolment_photos", deleted);
      if (deleted < batchSize) break;
    }
    for (const [kind, { purge }] of Object.entries(REQUEST_KINDS)) {
      for (;;) {
        const rows = await db.execute<{ site_id: string }>(purge(now, batchSize));
        for (const row of rows) add(row.site_id, kind as RetentionCountKind, 1);
        if (rows.length > 0) await afterBatch(kind as RetentionCountKind, rows.length);
        if (rows.length < batchSize) break;
      }
    }
    // Installation-wide: Better Auth's sessions and verification codes past their expiry.
    const sessions = await db.execute(sql`delete from sessions where expires_at < ${timestamp(now)} returning 1`);
    const verifications = await db.execute(
      sql`delete from verifications where expires_at < ${timestamp(now)} returning 1`,
    );
    add(INSTALLATION, "sessions", sessions.length);
    add(INSTALLATION, "verifications", verifications.length);

    await db.transaction(async (tx) => {
      await tx
        .update(retentionRuns)
        .set({ status: "completed", finishedAt: new Date(), heartbeatAt: new Date(), counts })
        .where(eq(retentionRuns.id, run.id));
      await writeAudit(tx, {
        actor: OPS_ACTOR,
        orgId: null,
        action: "retention.run",
        targetType: "retention_run",
        targetId: run.id,
        details: { totals: totalsOf(counts), sites: Object.keys(counts).filter((id) => id !== INSTALLATION).length },
      });
    });
    return { runId: run.id, counts, templateSiteIds: [...templateSiteIds].sort() };
  } catch (error) {
    const message = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
    await db
      .update(retentionRuns)
      .set({ status: "failed", finishedAt: new Date(), counts, error: message.slice(0, 500) })
      .where(eq(retentionRuns.id, run.id))
      .catch(() => undefined);
    throw error;
  }
}

/** Totals per kind over every site. */
export function totalsOf(counts: RetentionCounts) {
  const totals: Partial<Record<RetentionCountKind, number>> = {};
  for (const site of Object.values(counts)) {
    for (const [kind, count] of Object.entries(site) as [RetentionCountKind, number][]) {
      totals[kind] = (totals[kind] ?? 0) + count;
    }
  }
  return totals;
}

/**
 * Deletes one camera kind's rows past each camera's site's period, camera by camera in batches
 * of `limit` in time order; `onBatch` gets each batch's site and count. Files of a batch's rows
 * are removed inside its transaction, after the delete: if removing one fails the rows stay for
 * the next run, and a crash after the removals leaves rows whose files are gone (removed again,
 * a no-op, when they go).
 */
async function purgeByCamera(
  db: Database,
  storage: FileStore,
  kind: CameraKind,
  now: Date,
  limit: number,
  onBatch: (siteId: string, deleted: number) => Promise<void>,
) {
  const table = sql.identifier(CAMERA_KINDS[kind].table);
  const time = sql.identifier(CAMERA_KINDS[kind].time);
  const fileColumn = CAMERA_KINDS[kind].file;
  const file = fileColumn ? sql.identifier(fileColumn) : sql`null::text`;
  const cameras = await db.execute<{ id: string; site_id: string; cutoff: string }>(
    sql`select c.id, c.site_id, to_json(${timestamp(now)} - make_interval(days => p.days)) #>> '{}' as cutoff
      from cameras c join retention_policies p on p.site_id = c.site_id and p.kind = ${kind}::retention_kind`,
  );
  for (const camera of cameras) {
    let from: string | null = null;
    for (;;) {
      // By ctid: one statement finds the batch through the index and deletes exactly those rows.
      const rows = await db.transaction(async (tx) => {
        const deleted = await tx.execute<{ t: string; file: string | null }>(
          sql`with due as (
              select ctid from ${table} where camera_id = ${camera.id} and ${time} < ${camera.cutoff}::timestamptz
              ${from ? sql`and ${time} >= ${from}::timestamptz` : sql``}
              order by ${time} limit ${limit})
            delete from ${table} where ctid = any(array(select ctid from due))
            returning to_json(${time}) #>> '{}' as t, ${file} as file`,
        );
        await removeFiles(
          storage,
          deleted.flatMap((row) => (row.file ? [row.file] : [])),
        );
        return deleted;
      });
      if (rows.length > 0) await onBatch(camera.site_id, rows.length);
      if (rows.length < limit) break;
      // Same offset and format for every row, so the latest sorts last.
      from =
        rows
          .map((row) => row.t)
          .sort()
          .at(-1) ?? null;
    }
  }
}

/** Removes stored files by key; a malformed key (a tampered row) names no file and is skipped. */
async function removeFiles(storage: FileStore, keys: readonly string[]) {
  for (const key of keys) {
    try {
      await storage.remove(key);
    } catch (error) {
      if (!(error instanceof StorageKeyError)) throw error;
    }
  }
}

/** Per site: photo rows deleted and files removed (a file counts for the first of its rows). */
function countPhotosBySite(rows: { siteId: string; key: string }[], removed: Set<string>) {
  const bySite = new Map<string, SiteBatch>();
  const counted = new Set<string>();
  for (const row of rows) {
    const site = bySite.get(row.siteId) ?? { siteId: row.siteId, photos: 0, files: 0 };
    site.photos++;
    if (removed.has(row.key) && !counted.has(row.key)) {
      counted.add(row.key);
      site.files++;
    }
    bySite.set(row.siteId, site);
  }
  return bySite;
}

type SiteBatch = { siteId: string; photos: number; files: number };

async function purgePhotos(db: Database, storage: FileStore, now: Date, limit: number): Promise<SiteBatch[]> {
  const due = await db.execute<{ id: string; storage_key: string; site_id: string }>(
    sql`${duePhotos(now)} limit ${limit}`,
  );
  if (due.length === 0) return [];
  const ids = due.map((row) => row.id);
  const removed = await removeUnsharedPhotoFiles(
    db,
    storage,
    due.map((row) => ({ id: row.id, key: row.storage_key })),
  );
  await db.delete(enrolmentPhotos).where(inArray(enrolmentPhotos.id, ids));
  return [
    ...countPhotosBySite(
      due.map((row) => ({ siteId: row.site_id, key: row.storage_key })),
      removed,
    ).values(),
  ];
}

/**
 * One batch of templates past their period: their photos (rows and unshared files), the templates,
 * and a retention certificate each, in one transaction; rows another run holds are skipped.
 */
async function purgeTemplates(db: Database, storage: FileStore, runId: string, now: Date, limit: number) {
  return db.transaction(async (tx) => {
    const due = await tx.execute<{
      id: string;
      org_id: string;
      site_id: string;
      subject_id: string;
      consent_id: string | null;
      model_id: string;
      created_at: string;
      last_used_at: string | null;
      retention_days: number;
      pseudonym: string;
    }>(sql`select t.id, t.org_id, t.site_id, t.subject_id, t.consent_id, t.model_id, t.created_at, t.last_used_at,
        s.template_retention_days as retention_days, p.pseudonym
      from face_templates t join sites s on s.id = t.site_id join subjects p on p.id = t.subject_id
      where t.deletion_queued_at is null
      and coalesce(t.last_used_at, t.created_at) < ${timestamp(now)} - make_interval(days => s.template_retention_days)
      limit ${limit} for update of t skip locked`);
    if (due.length === 0) return { sites: [] as (SiteBatch & { templates: number })[] };
    const templateIds = due.map((row) => row.id);
    const photos = await tx
      .select({ id: enrolmentPhotos.id, key: enrolmentPhotos.storageKey, templateId: enrolmentPhotos.templateId })
      .from(enrolmentPhotos)
      .where(inArray(enrolmentPhotos.templateId, templateIds));
    const photoIds = photos.map((row) => row.id);
    const removed = await removeUnsharedPhotoFiles(tx, storage, photos);
    if (photoIds.length > 0) await tx.delete(enrolmentPhotos).where(inArray(enrolmentPhotos.id, photoIds));
    await tx.delete(faceTemplates).where(inArray(faceTemplates.id, templateIds));
    const siteOf = new Map(due.map((row) => [row.id, row.site_id]));
    const photosByTemplate = new Map<string, number>();
    for (const { templateId } of photos) {
      if (templateId) photosByTemplate.set(templateId, (photosByTemplate.get(templateId) ?? 0) + 1);
    }
    const deletedAt = new Date();
    await tx.insert(retentionCertificates).values(
      due.map((row) => {
        const certificate = {
          type: "retention",
          reason: "retention_expired",
          templateId: row.id,
          siteId: row.site_id,
          subject: { pseudonym: row.pseudonym },
          consentId: row.consent_id,
          modelId: row.model_id,
          createdAt: new Date(row.created_at).toISOString(),
          lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
          retentionDays: row.retention_days,
          photos: photosByTemplate.get(row.id) ?? 0,
          deletedAt: deletedAt.toISOString(),
          runId,
        };
        return {
          runId,
          orgId: row.org_id,
          siteId: row.site_id,
          templateId: row.id,
          subjectId: row.subject_id,
          certificate,
          certificateSha256: certificateSha256(certificate),
        };
      }),
    );
    const photoCounts = countPhotosBySite(
      photos.map((photo) => ({ siteId: siteOf.get(photo.templateId as string) as string, key: photo.key })),
      removed,
    );
    const bySite = new Map<string, SiteBatch & { templates: number }>();
    for (const row of due) {
      const site = bySite.get(row.site_id) ?? {
        siteId: row.site_id,
        templates: 0,
        photos: photoCounts.get(row.site_id)?.photos ?? 0,
        files: photoCounts.get(row.site_id)?.files ?? 0,
      };
      site.templates++;
      bySite.set(row.site_id, site);
    }
    return { sites: [...bySite.values()] };
  });
}

/** The latest run that is not still running (the report the panels show), or the running one if none finished. */
export async function lastRetentionRun(db: Executor) {
  const rows = await db
    .select()
    .from(retentionRuns)
    .orderBy(sql`${retentionRuns.status} = 'running'`, desc(retentionRuns.startedAt))
    .limit(1);
  return rows[0] ?? null;
}

/** The retention job runs hourly at minute 15 (Asia/Shanghai has no DST, so this is plain UTC arithmetic). */
export const RETENTION_REPEAT = { pattern: "15 * * * *", tz: "Asia/Shanghai" } as const;
export function nextRetentionRunAt(now: Date = new Date()): Date {
  const next = new Date(now);
  next.setUTCSeconds(0, 0);
  next.setUTCMinutes(15);
  if (next <= now) next.setUTCHours(next.getUTCHours() + 1);
  return next;
}
