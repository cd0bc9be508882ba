import { openEmbedding } from "@consentry/crypto";
import { and, type Database, eq, isNull, schema, sql } from "@consentry/db";
import type { GalleryEntry } from "@consentry/vision";

export type Identity = { subjectId: string; templateId: string };

/**
 * Each site's gallery: the decrypted templates of people whose consent to recognition there is
 * active, from the current model only. Cached per site until an invalidation (enrolment,
 * withdrawal, erasure) arrives over Redis pub/sub, with a time limit as a safety net.
 */
export class GalleryCache {
  private readonly sites = new Map<string, { loadedAt: number; entries: Promise<GalleryEntry<Identity>[]> }>();

  constructor(
    private readonly db: Database,
    private readonly modelId: string,
    private readonly maxAgeMs = 60_000,
  ) {}

  forSite(siteId: string): Promise<GalleryEntry<Identity>[]> {
    const cached = this.sites.get(siteId);
    if (cached && Date.now() - cached.loadedAt < this.maxAgeMs) return cached.entries;
    const entries = this.load(siteId);
    this.sites.set(siteId, { loadedAt: Date.now(), entries });
    entries.catch(() => this.sites.delete(siteId));
    return entries;
  }

  invalidate(siteId: string): void {
    this.sites.delete(siteId);
  }

  private async load(siteId: string): Promise<GalleryEntry<Identity>[]> {
    const { faceTemplates, consents, subjects } = schema;
    const rows = await this.db
      .select({ id: faceTemplates.id, subjectId: faceTemplates.subjectId, embeddingEnc: faceTemplates.embeddingEnc })
      .from(faceTemplates)
      .innerJoin(consents, eq(consents.id, faceTemplates.consentId))
      .innerJoin(subjects, eq(subjects.id, faceTemplates.subjectId))
      .where(
        and(
          eq(faceTemplates.siteId, siteId),
          eq(faceTemplates.modelId, this.modelId),
          isNull(faceTemplates.deletionQueuedAt),
          isNull(consents.withdrawnAt),
          sql`'recognition' = any(${consents.scopes})`,
          isNull(subjects.erasedAt),
        ),
      );
    return rows.map((row) => ({
      subjectId: { subjectId: row.subjectId, templateId: row.id },
      embedding: openEmbedding(row.embeddingEnc),
      modelId: this.modelId,
    }));
  }
}
