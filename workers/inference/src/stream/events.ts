import { errorCode } from "@consentry/core/enrolment";
import { and, type Database, eq, inArray, isNull, schema, sql } from "@consentry/db";
import { type FileStore, StorageKeyError } from "@consentry/storage";

/** One sighting: a person matched at a camera. Sightings less than the track gap apart are one event. */
export type RecognitionEvent = {
  orgId: string;
  siteId: string;
  cameraId: string;
  subjectId: string;
  templateId: string;
  modelId: string;
  score: number;
  at: Date;
  /** A sealed, blurred snapshot already stored for this sighting (the site keeps them). */
  snapshotKey?: string;
};

/** What the writer reports about itself (heartbeat, /api/metrics). Counts only. */
export type EventWriterStats = {
  /** Batches (and their events) written so far. */
  writtenBatches: number;
  /** Batches waiting for the database, and their recognition events. */
  pendingBatches: number;
  pendingEvents: number;
  /** Failed insert attempts, each retried later. */
  failedWrites: number;
  /** Batches given up on: buffer full during a long outage, or still unwritten at shutdown. */
  droppedBatches: number;
  droppedEvents: number;
  /** Events withheld because this worker had lost the camera's lease when they were found. */
  unownedEvents: number;
  /** Events not written because, at the insert, their template was gone or queued for deletion, or their person erased. */
  goneEvents: number;
  /** Snapshots that could not be made or stored (the visit tries again at its next sighting). */
  snapshotFailures: number;
  /** Snapshot files removed because no event kept them (not written, the visit had one, the site turned them off). */
  snapshotsDiscarded: number;
};

/** A note for the log: counts and a database error code, never an event's content. */
export type EventWriterNote = {
  message: string;
  level: "warn" | "error";
  counts: Record<string, number | string | undefined>;
};

export type EventWriterOptions = {
  flushEveryMs?: number;
  /**
   * A sighting less than this after the latest one of the same person at the same camera extends
   * that event (last seen, sightings, best score) instead of starting a new one.
   */
  trackGapMs?: number;
  /** Where the snapshots of sightings are, to remove those no event keeps. */
  storage?: Pick<FileStore, "remove">;
  /** The buffer of unwritten batches is bounded; past either limit the oldest batch is dropped. */
  maxBatches?: number;
  maxEvents?: number;
  /** Retry delays after a failed insert: 500 ms, 1 s, 2 s … at most this. */
  maxRetryDelayMs?: number;
  /** How long `close` keeps retrying before it counts what is left as dropped. */
  closeTimeoutMs?: number;
  /**
   * Asked before each batch is formed, for the cameras it holds. A camera in the answer was lost
   * by this worker: its events found after the given time (when ownership was last confirmed) may
   * duplicate another worker's and are not written.
   */
  lostSince?: (cameraIds: string[]) => Promise<Map<string, number>>;
};

type UnknownBucket = { cameraId: string; minute: number; count: number };
type Batch = { events: RecognitionEvent[]; unknown: UnknownBucket[] };
/** Consecutive sightings of one person at one camera, less than the track gap apart. */
type Visit = RecognitionEvent & { lastSeenAt: Date; sightings: number };

const MINUTE = 60_000;
/** A visit is at most this long; a later sighting starts another (and keeps the track lookup on an index range). */
const MAX_VISIT_HOURS = 12;

/**
 * Writes recognition events in batches, and per camera and minute the number of faces that
 * matched nobody: a count is all that is ever kept of them. An event is a visit: sightings of the
 * same person at the same camera less than `trackGapMs` apart are folded into one row (first and
 * last seen, sightings, best score, the visit's first snapshot), within a batch and across them.
 * A batch whose insert fails stays in a bounded buffer and is retried with backoff, in order; one
 * batch is one transaction, so a retry never writes half of one twice. A snapshot no written
 * event keeps (dropped, withheld, gone, or the visit had one) is removed.
 */
export class EventWriter {
  private events: RecognitionEvent[] = [];
  private unknown = new Map<string, UnknownBucket>();
  private readonly buffer: Batch[] = [];
  private bufferedEvents = 0;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private consecutiveFailures = 0;
  private retryAt = 0;
  private readonly counters = {
    writtenBatches: 0,
    failedWrites: 0,
    droppedBatches: 0,
    droppedEvents: 0,
    unownedEvents: 0,
    goneEvents: 0,
    snapshotFailures: 0,
    snapshotsDiscarded: 0,
  };
  private readonly options: Required<Omit<EventWriterOptions, "lostSince" | "storage">> &
    Pick<EventWriterOptions, "lostSince" | "storage">;

  constructor(
    private readonly db: Database,
    private readonly note: (note: EventWriterNote) => void,
    options: EventWriterOptions = {},
  ) {
    this.options = {
      flushEveryMs: 1000,
      trackGapMs: 60_000,
      maxBatches: 600,
      maxEvents: 100_000,
      maxRetryDelayMs: 15_000,
      closeTimeoutMs: 5000,
      ...options,
    };
    this.timer = setInterval(() => void this.flush(), this.options.flushEveryMs);
  }

  recognised(event: RecognitionEvent): void {
    this.events.push(event);
  }

  unknownFace(cameraId: string, at: number): void {
    const minute = Math.floor(at / MINUTE) * MINUTE;
    const key = `${cameraId}:${minute}`;
    const bucket = this.unknown.get(key);
    if (bucket) bucket.count++;
    else this.unknown.set(key, { cameraId, minute, count: 1 });
  }

  /** A snapshot could not be made or stored: counted and noted by its error code only. */
  snapshotFailed(error: unknown): void {
    this.counters.snapshotFailures++;
    this.note({
      message: "could not store an event snapshot",
      level: "warn",
      counts: { ...codeOf(error), snapshotFailures: this.counters.snapshotFailures },
    });
  }

  stats(): EventWriterStats {
    return { ...this.counters, pendingBatches: this.buffer.length, pendingEvents: this.bufferedEvents };
  }

  /** Buffers what is pending and writes what the backoff allows; concurrent calls run one after another. */
  flush(options: { force?: boolean } = {}): Promise<void> {
    this.flushing = this.flushing
      .then(async () => {
        await this.takePending();
        await this.writeBuffered(options.force ?? false);
      })
      .catch((error: unknown) => this.note({ message: "event writer failed", level: "error", counts: codeOf(error) }));
    return this.flushing;
  }

  /** Retries the buffer for up to `closeTimeoutMs`, then counts what is still unwritten as dropped. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + this.options.closeTimeoutMs;
    do {
      await this.flush({ force: true });
      if (this.buffer.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } while (Date.now() < deadline);
    const batches = this.buffer.length;
    const events = this.bufferedEvents;
    this.counters.droppedBatches += batches;
    this.counters.droppedEvents += events;
    await this.discardSnapshots(this.buffer.flatMap((batch) => batch.events));
    this.buffer.length = 0;
    this.bufferedEvents = 0;
    this.note({ message: "recognition events dropped at shutdown", level: "error", counts: { batches, events } });
  }

  private async takePending(): Promise<void> {
    let events = this.events;
    const unknown = [...this.unknown.values()];
    this.events = [];
    this.unknown = new Map();
    if (events.length === 0 && unknown.length === 0) return;
    if (events.length > 0 && this.options.lostSince) {
      // An unanswered check keeps the events: the lease deadline stops a worker cut off from Redis.
      const cameraIds = [...new Set(events.map((event) => event.cameraId))];
      const lost = await this.options.lostSince(cameraIds).catch(() => new Map<string, number>());
      if (lost.size > 0) {
        const kept = events.filter((event) => event.at.getTime() <= (lost.get(event.cameraId) ?? Infinity));
        this.counters.unownedEvents += events.length - kept.length;
        await this.discardSnapshots(events.filter((event) => !kept.includes(event)));
        events = kept;
      }
    }
    this.buffer.push({ events, unknown });
    this.bufferedEvents += events.length;
    // Bounded: a long outage costs the oldest batches, counted, rather than the worker's memory.
    let droppedBatches = 0;
    let droppedEvents = 0;
    const dropped: RecognitionEvent[] = [];
    while (
      this.buffer.length > this.options.maxBatches ||
      (this.bufferedEvents > this.options.maxEvents && this.buffer.length > 1)
    ) {
      const oldest = this.buffer.shift() as Batch;
      this.bufferedEvents -= oldest.events.length;
      droppedBatches++;
      droppedEvents += oldest.events.length;
      dropped.push(...oldest.events);
    }
    await this.discardSnapshots(dropped);
    if (droppedBatches > 0) {
      this.counters.droppedBatches += droppedBatches;
      this.counters.droppedEvents += droppedEvents;
      this.note({
        message: "event buffer full: oldest batches dropped",
        level: "error",
        counts: { batches: droppedBatches, events: droppedEvents, droppedBatchesTotal: this.counters.droppedBatches },
      });
    }
  }

  private async writeBuffered(force: boolean): Promise<void> {
    if (!force && Date.now() < this.retryAt) return;
    for (let batch = this.buffer[0]; batch; batch = this.buffer[0]) {
      let kept: Set<string>;
      try {
        const result = await this.write(batch);
        this.counters.goneEvents += batch.events.length - result.written;
        kept = result.snapshots;
      } catch (error) {
        this.counters.failedWrites++;
        this.consecutiveFailures++;
        const delay = Math.min(500 * 2 ** (this.consecutiveFailures - 1), this.options.maxRetryDelayMs);
        this.retryAt = Date.now() + delay;
        this.note({
          message: "could not write recognition events; retrying",
          level: "warn",
          counts: { ...codeOf(error), pendingBatches: this.buffer.length, retryInMs: delay },
        });
        return;
      }
      this.buffer.shift();
      this.bufferedEvents -= batch.events.length;
      this.counters.writtenBatches++;
      this.consecutiveFailures = 0;
      this.retryAt = 0;
      // Committed: a snapshot no row points to belongs to no one and goes now.
      await this.discardSnapshots(batch.events.filter((event) => event.snapshotKey && !kept.has(event.snapshotKey)));
    }
  }

  /** Removes the snapshot files of these sightings; a failure is noted by code and the file left. */
  private async discardSnapshots(events: readonly RecognitionEvent[]): Promise<void> {
    for (const { snapshotKey } of events) {
      if (!snapshotKey || !this.options.storage) continue;
      try {
        await this.options.storage.remove(snapshotKey);
        this.counters.snapshotsDiscarded++;
      } catch (error) {
        if (error instanceof StorageKeyError) continue;
        this.note({ message: "could not remove an unused event snapshot", level: "error", counts: codeOf(error) });
      }
    }
  }

  /**
   * Writes one batch in one transaction; returns how many of its sightings were written, and the
   * snapshot keys its events now hold.
   */
  private async write({ events, unknown }: Batch): Promise<{ written: number; snapshots: Set<string> }> {
    return this.db.transaction(async (tx) => {
      const live = events.length > 0 ? await liveSightings(tx, events) : [];
      const written = {
        written: live.length,
        snapshots:
          live.length > 0
            ? await writeVisits(tx, visitsOf(live, this.options.trackGapMs), this.options.trackGapMs)
            : new Set<string>(),
      };
      if (unknown.length > 0) {
        await tx
          .insert(schema.unknownFaceCounts)
          .values(unknown.map(({ cameraId, minute, count }) => ({ cameraId, minute: new Date(minute), count })))
          .onConflictDoUpdate({
            target: [schema.unknownFaceCounts.cameraId, schema.unknownFaceCounts.minute],
            set: { count: sql`${schema.unknownFaceCounts.count} + excluded.count` },
          });
      }
      return written;
    });
  }
}

/**
 * Folds a batch's sightings into visits: per camera and person, in time order, a sighting less
 * than `gapMs` after the previous one extends its visit. A visit keeps its first sighting's
 * template and snapshot, its last sighting's time, the count and the best score.
 */
export function visitsOf(events: readonly RecognitionEvent[], gapMs: number): Visit[] {
  const visits: Visit[] = [];
  const open = new Map<string, Visit>();
  for (const event of [...events].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const key = `${event.cameraId}:${event.subjectId}`;
    const visit = open.get(key);
    if (visit && event.at.getTime() - visit.lastSeenAt.getTime() < gapMs) {
      visit.lastSeenAt = event.at;
      visit.sightings++;
      visit.score = Math.max(visit.score, event.score);
      visit.snapshotKey ??= event.snapshotKey;
      continue;
    }
    const started: Visit = { ...event, lastSeenAt: event.at, sightings: 1 };
    open.set(key, started);
    visits.push(started);
  }
  return visits;
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * The sightings whose template still exists, is not queued for deletion and belongs to a person
 * not erased, checked inside the batch's transaction: a template deleted a moment ago (erasure,
 * withdrawal, retention) gets no event. The key-share locks, held until the batch commits, make a
 * deletion still in progress finish first (its rows are then skipped, instead of failing the
 * batch on the foreign key), and keep one from starting before the events are written.
 */
async function liveSightings(tx: Transaction, events: RecognitionEvent[]): Promise<RecognitionEvent[]> {
  const { faceTemplates, subjects } = schema;
  const rows = await tx
    .select({ id: faceTemplates.id, subjectId: faceTemplates.subjectId })
    .from(faceTemplates)
    .innerJoin(subjects, eq(subjects.id, faceTemplates.subjectId))
    .where(
      and(
        inArray(faceTemplates.id, [...new Set(events.map((event) => event.templateId))]),
        isNull(faceTemplates.deletionQueuedAt),
        isNull(subjects.erasedAt),
      ),
    )
    .for("key share", { of: [faceTemplates, subjects] });
  const live = new Map(rows.map((row) => [row.id, row.subjectId]));
  return events.filter((event) => live.get(event.templateId) === event.subjectId);
}

/**
 * Writes visits, each extending the event of the same person at the same camera whose last
 * sighting is less than `gapMs` before the visit's first (the latest such event that started at
 * most MAX_VISIT_HOURS before it), or else as a new event. A snapshot is kept only while the site
 * keeps snapshots (checked here too, so turning them off holds at once) and only where the event
 * has none yet. Returns the snapshot keys the rows now hold.
 */
async function writeVisits(tx: Transaction, visits: Visit[], gapMs: number): Promise<Set<string>> {
  const rows = JSON.stringify(
    visits.map((visit, idx) => ({
      idx,
      org_id: visit.orgId,
      site_id: visit.siteId,
      camera_id: visit.cameraId,
      subject_id: visit.subjectId,
      template_id: visit.templateId,
      model_id: visit.modelId,
      at: visit.at.toISOString(),
      last_seen_at: visit.lastSeenAt.toISOString(),
      sightings: visit.sightings,
      score: visit.score,
      snapshot_path: visit.snapshotKey ?? null,
    })),
  );
  // Within one batch two visits of a person at a camera are more than the gap apart, so no two
  // of them extend the same event (and none of them another's new one).
  const [result] = await tx.execute<{ snapshots: string[] | null }>(sql`
    with live as materialized (
      select e.*, st.event_snapshots as keeps_snapshots
      from jsonb_to_recordset(${rows}::jsonb) as e(
        idx int, org_id uuid, site_id uuid, camera_id uuid, subject_id uuid, template_id uuid, model_id text,
        at timestamptz, last_seen_at timestamptz, sightings int, score real, snapshot_path text)
      join sites st on st.id = e.site_id
    ),
    track as (
      select live.idx, latest.id
      from live cross join lateral (
        select r.id, coalesce(r.last_seen_at, r.at) as last_seen_at
        from recognition_events r
        where r.camera_id = live.camera_id and r.subject_id = live.subject_id
          and r.at <= live.last_seen_at and r.at >= live.at - make_interval(hours => ${MAX_VISIT_HOURS})
        order by r.at desc
        limit 1
      ) latest
      where latest.last_seen_at > live.at - make_interval(secs => ${gapMs / 1000})
    ),
    extended as (
      update recognition_events r set
        last_seen_at = greatest(coalesce(r.last_seen_at, r.at), live.last_seen_at),
        sightings = r.sightings + live.sightings,
        score = greatest(r.score, live.score),
        snapshot_path = coalesce(r.snapshot_path, case when live.keeps_snapshots then live.snapshot_path end)
      from track join live on live.idx = track.idx
      where r.id = track.id
      returning r.snapshot_path
    ),
    inserted as (
      insert into recognition_events
        (org_id, site_id, camera_id, subject_id, template_id, model_id, at, last_seen_at, sightings, score, snapshot_path)
      select org_id, site_id, camera_id, subject_id, template_id, model_id, at, last_seen_at, sightings, score,
        case when keeps_snapshots then snapshot_path end
      from live where idx not in (select idx from track)
      returning snapshot_path
    )
    select array(select snapshot_path from extended where snapshot_path is not null
        union all select snapshot_path from inserted where snapshot_path is not null) as snapshots`);
  return new Set(result?.snapshots ?? []);
}

/** A database error's code (SQLSTATE or errno name) without its message: messages carry the query's values. */
function codeOf(error: unknown): { code?: string } {
  return { code: errorCode(error) ?? (error instanceof Error ? error.name : "unknown") };
}
