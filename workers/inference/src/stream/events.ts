import { errorCode } from "@consentry/core/enrolment";
import { type Database, schema, sql } from "@consentry/db";

export type RecognitionEvent = {
  orgId: string;
  siteId: string;
  cameraId: string;
  subjectId: string;
  templateId: string;
  modelId: string;
  score: number;
  at: Date;
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
};

/** A note for the log: counts and a database error code, never an event's content. */
export type EventWriterNote = {
  message: string;
  level: "warn" | "error";
  counts: Record<string, number | string | undefined>;
};

export type EventWriterOptions = {
  flushEveryMs?: number;
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

const MINUTE = 60_000;

/**
 * Writes recognition events in batches, and per camera and minute the number of faces that
 * matched nobody: a count is all that is ever kept of them. A batch whose insert fails stays in
 * a bounded buffer and is retried with backoff, in order; one batch is one transaction, so a
 * retry never writes half of one twice.
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
  };
  private readonly options: Required<Omit<EventWriterOptions, "lostSince">> & Pick<EventWriterOptions, "lostSince">;

  constructor(
    private readonly db: Database,
    private readonly note: (note: EventWriterNote) => void,
    options: EventWriterOptions = {},
  ) {
    this.options = {
      flushEveryMs: 1000,
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
        events = kept;
      }
    }
    this.buffer.push({ events, unknown });
    this.bufferedEvents += events.length;
    // Bounded: a long outage costs the oldest batches, counted, rather than the worker's memory.
    let droppedBatches = 0;
    let droppedEvents = 0;
    while (
      this.buffer.length > this.options.maxBatches ||
      (this.bufferedEvents > this.options.maxEvents && this.buffer.length > 1)
    ) {
      const oldest = this.buffer.shift() as Batch;
      this.bufferedEvents -= oldest.events.length;
      droppedBatches++;
      droppedEvents += oldest.events.length;
    }
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
      try {
        this.counters.goneEvents += batch.events.length - (await this.write(batch));
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
    }
  }

  /** Writes one batch in one transaction; returns how many of its recognition events were written. */
  private async write({ events, unknown }: Batch): Promise<number> {
    return this.db.transaction(async (tx) => {
      const written = events.length > 0 ? await insertLiveEvents(tx, events) : 0;
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
 * Inserts only the events whose template still exists, is not queued for deletion and belongs to
 * a person not erased, checked by the insert itself: a template deleted a moment ago (erasure,
 * withdrawal, retention) gets no event, and its deletion cannot slip between a check and the
 * insert. The key-share locks make a deletion still in progress finish first; the row is then
 * skipped instead of failing the batch on the foreign key.
 */
async function insertLiveEvents(
  tx: Parameters<Parameters<Database["transaction"]>[0]>[0],
  events: RecognitionEvent[],
): Promise<number> {
  const rows = JSON.stringify(
    events.map((event) => ({
      org_id: event.orgId,
      site_id: event.siteId,
      camera_id: event.cameraId,
      subject_id: event.subjectId,
      template_id: event.templateId,
      model_id: event.modelId,
      at: event.at.toISOString(),
      score: event.score,
    })),
  );
  const [result] = await tx.execute<{ written: number }>(sql`
    with written as (
      insert into recognition_events (org_id, site_id, camera_id, subject_id, template_id, model_id, at, score)
      select e.org_id, e.site_id, e.camera_id, e.subject_id, e.template_id, e.model_id, e.at, e.score
      from jsonb_to_recordset(${rows}::jsonb) as e(
        org_id uuid, site_id uuid, camera_id uuid, subject_id uuid, template_id uuid, model_id text,
        at timestamptz, score real)
      join face_templates t on t.id = e.template_id and t.subject_id = e.subject_id and t.deletion_queued_at is null
      join subjects s on s.id = t.subject_id and s.erased_at is null
      for key share of t, s
      returning 1
    )
    select count(*)::int as written from written`);
  return result?.written ?? 0;
}

/** A database error's code (SQLSTATE or errno name) without its message: messages carry the query's values. */
function codeOf(error: unknown): { code?: string } {
  return { code: errorCode(error) ?? (error instanceof Error ? error.name : "unknown") };
}
