import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { openEmbedding } from "@consentry/crypto";
import { and, type Database, eq, inArray, isNull, type SQL, schema, sql } from "@consentry/db";
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
 * active, from the current model only. Loaded once per site; after an invalidation (enrolment,
 * withdrawal, erasure) arrives over Redis pub/sub, or after a time limit as a safety net, it is
 * brought up to date in place: only the templates that left it are dropped and only the new ones
 * read and decrypted (a full load of 100,000 templates is seconds of CPU).
 */
export class GalleryCache {
  private readonly sites = new Map<string, { checkedAt: number; stale: boolean; gallery: Promise<PackedGallery> }>();

  constructor(
    private readonly db: Database,
    private readonly modelId: string,
    private readonly maxAgeMs = 60_000,
  ) {}

  /** The site's gallery; while it is brought up to date, the updated one (matching waits for it). */
  forSite(siteId: string): Promise<SiteGallery> {
    const cached = this.sites.get(siteId);
    if (cached && !cached.stale && Date.now() - cached.checkedAt < this.maxAgeMs) return cached.gallery;
    // An update runs after the load or update before it, and an invalidation that arrives during one
    // leads to another: what it announced may have been read a moment too early.
    const gallery = cached ? cached.gallery.then((current) => this.update(siteId, current)) : this.load(siteId);
    const entry = { checkedAt: Date.now(), stale: false, gallery };
    this.sites.set(siteId, entry);
    // A failed load or update (perhaps halfway) is not kept: the next call loads the site afresh.
    gallery.catch(() => {
      if (this.sites.get(siteId) === entry) this.sites.delete(siteId);
    });
    return gallery;
  }

  /** The next `forSite` brings the site's gallery up to date first. */
  invalidate(siteId: string): void {
    const cached = this.sites.get(siteId);
    if (cached) cached.stale = true;
  }

  /** Templates in the site's gallery: current model, not queued for deletion, consent active, person not erased. */
  private active(siteId: string): SQL {
    const { faceTemplates, consents, subjects } = schema;
    return and(
      eq(faceTemplates.siteId, siteId),
      eq(faceTemplates.modelId, this.modelId),
      isNull(faceTemplates.deletionQueuedAt),
      isNull(consents.withdrawnAt),
      sql`'recognition' = any(${consents.scopes})`,
      isNull(subjects.erasedAt),
    ) as SQL;
  }

  /** The ids of the templates `where` selects, joined with the consent and person they depend on. */
  private templateIds(where: SQL) {
    const { faceTemplates, consents, subjects } = schema;
    return this.db
      .select({ id: faceTemplates.id })
      .from(faceTemplates)
      .innerJoin(consents, eq(consents.id, faceTemplates.consentId))
      .innerJoin(subjects, eq(subjects.id, faceTemplates.subjectId))
      .where(where);
  }

  private async load(siteId: string): Promise<PackedGallery> {
    const [counted] = await this.db.execute<{ count: number }>(
      sql`select count(*)::int as count from (${this.templateIds(this.active(siteId))}) as active`,
    );
    const count = counted?.count ?? 0;
    // Rows added between the count and the reading still fit: the gallery grows.
    const gallery = new PackedGallery(this.modelId, count);
    await this.read(gallery, this.active(siteId), count);
    gallery.trim();
    return gallery;
  }

  /**
   * Brings a loaded gallery up to date. PostgreSQL compares the template ids it holds (sent as one
   * text, 3.3 MB for 100,000) with the site's active ones and names the differences: comparing
   * 100,000 ids in JavaScript costs more than sending them.
   */
  private async update(siteId: string, gallery: PackedGallery): Promise<PackedGallery> {
    const { faceTemplates } = schema;
    const held = gallery.templateIds();
    const active = this.templateIds(this.active(siteId));
    const changes = await this.db.execute<{ change: "added" | "removed"; id: string }>(sql`
      with held as (select unnest(string_to_array(${held.join(",")}, ','))::uuid as id),
        active as (${active})
      select 'removed' as change, held.id from held where not exists (select from active where active.id = held.id)
      union all
      select 'added', active.id from active where not exists (select from held where held.id = active.id)`);
    const removed = new Set(changes.filter((row) => row.change === "removed").map((row) => compactUuid(row.id)));
    const added = changes.filter((row) => row.change === "added").map((row) => row.id);
    if (removed.size > 0) gallery.removeRows(held.flatMap((id, row) => (removed.has(id) ? [row] : [])));
    if (added.length > 0) {
      // One text parameter, not one per id: PostgreSQL takes at most 65,535 parameters.
      const only = sql`${faceTemplates.id} = any(string_to_array(${added.join(",")}, ',')::uuid[])`;
      await this.read(gallery, and(this.active(siteId), only) as SQL, added.length);
    }
    if (removed.size > gallery.size / 8) gallery.trim();
    return gallery;
  }

  /**
   * Adds the templates `where` selects to the gallery, streamed through a cursor (100,000 sealed
   * templates are 290 MB of text: never all in memory). From DECRYPT_THREADS_FROM rows on they are
   * decrypted by worker threads, batch by batch, while this thread reads the next rows and indexes
   * the decrypted ones.
   */
  private async read(gallery: PackedGallery, where: SQL, expected: number): Promise<void> {
    const { faceTemplates } = schema;
    const query = this.db
      .select({ id: faceTemplates.id, subjectId: faceTemplates.subjectId, embeddingEnc: faceTemplates.embeddingEnc })
      .from(faceTemplates)
      .where(inArray(faceTemplates.id, this.templateIds(where)))
      .toSQL();
    // Started now, so that the threads load their code while the first rows arrive.
    const decryptor = expected >= DECRYPT_THREADS_FROM ? new DecryptorPool(DECRYPT_THREADS) : null;
    const inFlight: Promise<void>[] = [];
    type Row = { id: string; subject_id: string; embedding_enc: string };
    try {
      await this.db.$client
        .unsafe<Row[]>(query.sql, query.params as never[])
        .cursor(ROWS_PER_BATCH, async (rows: Row[]) => {
          if (!decryptor || !gallery.preparation) {
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
  }
}

/**
 * A GalleryIndex whose rows' identities are packed UUID bytes (3.2 MB for 100,000, not 200,000
 * strings), in slots: the index's subject of a row is its slot, and a removed row's slot is reused.
 */
class PackedGallery implements SiteGallery {
  private index: GalleryIndex<number> | null = null;
  /** Per slot: subject id, then template id, 16 bytes each. */
  private ids: Uint8Array;
  private slots = 0;
  private readonly freeSlots: number[] = [];

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
    const slot = this.takeSlot(subjectId, templateId);
    try {
      this.index.add({ embedding, modelId: this.modelId }, slot);
    } catch (error) {
      this.freeSlots.push(slot);
      throw error;
    }
  }

  /** For the decryption threads (known from the first row on). */
  get preparation(): TemplatePreparation | undefined {
    return this.index?.preparation;
  }

  addPrepared(prepared: PreparedTemplates, identities: readonly (readonly [string, string])[]): void {
    const slots = identities.map(([subjectId, templateId]) => this.takeSlot(subjectId, templateId));
    try {
      (this.index as GalleryIndex<number>).addPrepared(prepared, slots);
    } catch (error) {
      this.freeSlots.push(...slots);
      throw error;
    }
  }

  /** Each row's template id as 32 hex digits (as `compactUuid` writes them), in row order. */
  templateIds(): string[] {
    const index = this.index;
    if (!index) return [];
    const hex = Buffer.from(this.ids.buffer, this.ids.byteOffset, this.slots * 2 * UUID_BYTES).toString("hex");
    return Array.from({ length: index.size }, (_, row) => {
      const at = (2 * index.subjectAt(row) + 1) * 2 * UUID_BYTES;
      return hex.slice(at, at + 2 * UUID_BYTES);
    });
  }

  /** Removes these rows (numbered as `templateIds` gave them); their slots are reused. */
  removeRows(rows: number[]): void {
    const index = this.index as GalleryIndex<number>;
    // From the highest row down: a removal moves the last row into its place, and that row stays.
    for (const row of rows.sort((a, b) => b - a)) {
      const slot = index.subjectAt(row);
      index.removeAt(row);
      this.ids.fill(0, slot * 2 * UUID_BYTES, (slot + 1) * 2 * UUID_BYTES);
      this.freeSlots.push(slot);
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

  trim(): void {
    this.index?.trim();
    if (this.ids.length > this.slots * 2 * UUID_BYTES) this.ids = this.ids.slice(0, this.slots * 2 * UUID_BYTES);
  }

  private takeSlot(subjectId: string, templateId: string): number {
    const slot = this.freeSlots.pop() ?? this.slots++;
    const at = slot * 2 * UUID_BYTES;
    if (at + 2 * UUID_BYTES > this.ids.length) {
      const grown = new Uint8Array(Math.max(at + 2 * UUID_BYTES, this.ids.length + (this.ids.length >> 3)));
      grown.set(this.ids);
      this.ids = grown;
    }
    writeUuid(this.ids, at, subjectId);
    writeUuid(this.ids, at + UUID_BYTES, templateId);
    return slot;
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

/** A UUID as 32 hex digits, without dashes (PostgreSQL reads either). */
const compactUuid = (uuid: string) => uuid.replaceAll("-", "");

function writeUuid(target: Uint8Array, at: number, uuid: string) {
  const hex = compactUuid(uuid);
  if (hex.length !== 2 * UUID_BYTES) throw new Error("not a UUID");
  target.set(Buffer.from(hex, "hex"), at);
}

function uuidAt(source: Uint8Array, at: number): string {
  const hex = Buffer.from(source.buffer, source.byteOffset + at, UUID_BYTES).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
