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

const MINUTE = 60_000;

/**
 * Writes recognition events in batches, and per camera and minute the number of faces that
 * matched nobody: a count is all that is ever kept of them.
 */
export class EventWriter {
  private events: RecognitionEvent[] = [];
  private unknown = new Map<string, { cameraId: string; minute: number; count: number }>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly onError: (error: unknown) => void,
    flushEveryMs = 1000,
  ) {
    this.timer = setInterval(() => void this.flush(), flushEveryMs);
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

  /** Writes what is pending; concurrent calls run one after another. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write()).catch(this.onError);
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(): Promise<void> {
    const events = this.events;
    const unknown = [...this.unknown.values()];
    this.events = [];
    this.unknown = new Map();
    if (events.length > 0) await this.db.insert(schema.recognitionEvents).values(events);
    if (unknown.length > 0) {
      await this.db
        .insert(schema.unknownFaceCounts)
        .values(unknown.map(({ cameraId, minute, count }) => ({ cameraId, minute: new Date(minute), count })))
        .onConflictDoUpdate({
          target: [schema.unknownFaceCounts.cameraId, schema.unknownFaceCounts.minute],
          set: { count: sql`${schema.unknownFaceCounts.count} + excluded.count` },
        });
    }
  }
}
