import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { openEmbedding } from "@consentry/crypto";
import { and, type Database, eq, isNull, schema, sql } from "@consentry/db";
import {
  type FaceTemplate,
  type GalleryMatch,
  type PreparedTemplates,
  startModuleThread,
  type TemplatePreparation,
} from "@consentry/vision";
// Its own entry: the index compiles its WebAssembly scan when loaded, which only matching needs.
import { GalleryIndex } from "@consentry/vision/gallery-index";
import type { DecryptRequest, DecryptResponse } from "./gallery-decrypt-thread";

export type Identity = { subjectId: string; templateId: string };

/** A site's gallery as matching sees it (a GalleryIndex<Identity> is one too). */
export interface SiteGallery {
  readonly size: number;
  /** The best template at or above `threshold`, or null; ModelMismatchError for a probe of another model. */
  best(probe: FaceTemplate, threshold: number): GalleryMatch<Identity> | null;
}

/** Rows read from PostgreSQL at a time: the sealed text (2.9 kB a template) dies young. */
const ROWS_PER_BATCH = 1000;
/** From this many templates on, decryption (about 40 µs a template) runs in worker threads. */
const DECRYPT_THREADS_FROM = 5000;
const DECRYPT_THREADS = Math.max(1, Math.min(2, availableParallelism()));
const UUID_BYTES = 16;

/**
 * Each site's gallery: the decrypted templates of people whose consent to recognition there is
 * active, from the current model only. Cached per site until an invalidation (enrolment,
 * withdrawal, erasure) arrives over Redis pub/sub, with a time limit as a safety net.
 */
export class GalleryCache {
  private readonly sites = new Map<string, { loadedAt: number; gallery: Promise<SiteGallery> }>();

  constructor(
    private readonly db: Database,
    private readonly modelId: string,
    private readonly maxAgeMs = 60_000,
  ) {}

  forSite(siteId: string): Promise<SiteGallery> {
    const cached = this.sites.get(siteId);
    if (cached && Date.now() - cached.loadedAt < this.maxAgeMs) return cached.gallery;
    const gallery = this.load(siteId);
    this.sites.set(siteId, { loadedAt: Date.now(), gallery });
    gallery.catch(() => this.sites.delete(siteId));
    return gallery;
  }

  invalidate(siteId: string): void {
    this.sites.delete(siteId);
  }

  /**
   * Streams the rows through a cursor (100,000 sealed templates are 290 MB of text: never all in memory)
   * into one preallocated matrix. A large gallery is decrypted by worker threads, batch by batch, while
   * this thread reads the next rows and indexes the decrypted ones.
   */
  private async load(siteId: string): Promise<SiteGallery> {
    const { faceTemplates, consents, subjects } = schema;
    const active = and(
      eq(faceTemplates.siteId, siteId),
      eq(faceTemplates.modelId, this.modelId),
      isNull(faceTemplates.deletionQueuedAt),
      isNull(consents.withdrawnAt),
      sql`'recognition' = any(${consents.scopes})`,
      isNull(subjects.erasedAt),
    );
    const [counted] = await this.db
      .select({ count: sql<number>`count(*)::int` })
      .from(faceTemplates)
      .innerJoin(consents, eq(consents.id, faceTemplates.consentId))
      .innerJoin(subjects, eq(subjects.id, faceTemplates.subjectId))
      .where(active);
    const count = counted?.count ?? 0;
    const query = this.db
      .select({ id: faceTemplates.id, subjectId: faceTemplates.subjectId, embeddingEnc: faceTemplates.embeddingEnc })
      .from(faceTemplates)
      .innerJoin(consents, eq(consents.id, faceTemplates.consentId))
      .innerJoin(subjects, eq(subjects.id, faceTemplates.subjectId))
      .where(active)
      .toSQL();
    // Rows added between the count and the cursor still fit: the gallery grows.
    const gallery = new PackedGallery(this.modelId, count);
    // Started now, so that the threads load their code while the first rows arrive.
    const decryptor = count >= DECRYPT_THREADS_FROM ? new DecryptorPool(DECRYPT_THREADS) : null;
    const inFlight: Promise<void>[] = [];
    type Row = { id: string; subject_id: string; embedding_enc: string };
    try {
      await this.db.$client
        .unsafe<Row[]>(query.sql, query.params as never[])
        .cursor(ROWS_PER_BATCH, async (rows: Row[]) => {
          if (!decryptor || gallery.size === 0) {
            // Small galleries, and the first row of a large one (its length sizes the index the threads prepare for).
            const [first, ...rest] = rows;
            const inline = decryptor ? (first ? [first] : []) : rows;
            for (const row of inline) gallery.add(openEmbedding(row.embedding_enc), row.subject_id, row.id);
            if (!decryptor) return;
            rows = rest;
          }
          const identities = rows.map((row) => [row.subject_id, row.id] as const);
          const indexed = decryptor
            .open(
              rows.map((row) => row.embedding_enc),
              gallery.preparation as TemplatePreparation,
            )
            .then((prepared) => gallery.addPrepared(prepared, identities));
          // Awaited below; until then a failure must not count as unhandled.
          indexed.catch(() => undefined);
          inFlight.push(indexed);
          // A few batches in flight keep every thread busy and the memory bounded.
          if (inFlight.length >= 2 * DECRYPT_THREADS) await inFlight.shift();
        });
      await Promise.all(inFlight);
    } finally {
      await decryptor?.close();
    }
    gallery.trim();
    return gallery;
  }
}

/** A GalleryIndex whose rows' identities are packed UUID bytes (3.2 MB for 100,000, not 200,000 strings). */
class PackedGallery implements SiteGallery {
  private index: GalleryIndex<number> | null = null;
  /** Per row: subject id, then template id, 16 bytes each. */
  private ids: Uint8Array;

  constructor(
    private readonly modelId: string,
    private readonly capacity: number,
  ) {
    this.ids = new Uint8Array(capacity * 2 * UUID_BYTES);
  }

  get size(): number {
    return this.index?.size ?? 0;
  }

  add(embedding: Float32Array, subjectId: string, templateId: string): void {
    this.index ??= new GalleryIndex<number>(this.modelId, embedding.length, this.capacity);
    const row = this.index.size;
    const at = row * 2 * UUID_BYTES;
    this.reserveIds(row + 1);
    this.index.add({ embedding, modelId: this.modelId }, row);
    writeUuid(this.ids, at, subjectId);
    writeUuid(this.ids, at + UUID_BYTES, templateId);
  }

  /** For the decryption threads (known from the first row on). */
  get preparation(): TemplatePreparation | undefined {
    return this.index?.preparation;
  }

  addPrepared(prepared: PreparedTemplates, identities: readonly (readonly [string, string])[]): void {
    const index = this.index as GalleryIndex<number>;
    const first = index.size;
    this.reserveIds(first + identities.length);
    index.addPrepared(
      prepared,
      identities.map((_, i) => first + i),
    );
    for (const [i, [subjectId, templateId]] of identities.entries()) {
      const at = (first + i) * 2 * UUID_BYTES;
      writeUuid(this.ids, at, subjectId);
      writeUuid(this.ids, at + UUID_BYTES, templateId);
    }
  }

  best(probe: FaceTemplate, threshold: number): GalleryMatch<Identity> | null {
    const found = this.index?.best(probe, threshold);
    if (!found) return null;
    const at = found.subjectId * 2 * UUID_BYTES;
    return {
      subjectId: { subjectId: uuidAt(this.ids, at), templateId: uuidAt(this.ids, at + UUID_BYTES) },
      similarity: found.similarity,
    };
  }

  private reserveIds(rows: number) {
    if (rows * 2 * UUID_BYTES <= this.ids.length) return;
    const grown = new Uint8Array(Math.max(rows * 2 * UUID_BYTES, this.ids.length * 2));
    grown.set(this.ids);
    this.ids = grown;
  }

  trim(): void {
    this.index?.trim();
    if (this.ids.length > this.size * 2 * UUID_BYTES) this.ids = this.ids.slice(0, this.size * 2 * UUID_BYTES);
  }
}

/** Decryption threads (./gallery-decrypt-thread.ts), a promise per batch, batches dealt round-robin. */
class DecryptorPool {
  private readonly threads: Worker[];
  private readonly pending = new Map<
    number,
    { resolve: (value: PreparedTemplates) => void; reject: (error: Error) => void }
  >();
  private nextId = 0;

  constructor(size: number) {
    this.threads = Array.from({ length: size }, () =>
      startModuleThread(new URL("./gallery-decrypt-thread.ts", import.meta.url)),
    );
    const failAll = (error: Error) => {
      for (const call of this.pending.values()) call.reject(error);
      this.pending.clear();
    };
    for (const thread of this.threads) {
      thread.on("message", (response: DecryptResponse) => {
        const call = this.pending.get(response.id);
        this.pending.delete(response.id);
        if ("error" in response) call?.reject(new Error(`could not decrypt a template: ${response.error}`));
        else call?.resolve(response.prepared);
      });
      thread.on("error", failAll);
      thread.on("exit", (code) => failAll(new Error(`a gallery decryption thread exited (code ${code})`)));
    }
  }

  open(sealed: string[], preparation: TemplatePreparation): Promise<PreparedTemplates> {
    const id = this.nextId++;
    const thread = this.threads[id % this.threads.length] as Worker;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.postMessage({ id, sealed, preparation } satisfies DecryptRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.terminate()));
  }
}

function writeUuid(target: Uint8Array, at: number, uuid: string) {
  const hex = uuid.replaceAll("-", "");
  if (hex.length !== 2 * UUID_BYTES) throw new Error("not a UUID");
  target.set(Buffer.from(hex, "hex"), at);
}

function uuidAt(source: Uint8Array, at: number): string {
  const hex = Buffer.from(source.buffer, source.byteOffset + at, UUID_BYTES).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
