import { makeAnalysedSite, makeOrganization } from "@consentry/core/testing";
import { sealEmbedding } from "@consentry/crypto";
import { createTestDatabase } from "@consentry/db/testing";
import { DEFAULT_MATCH_THRESHOLD, MODELS } from "@consentry/vision";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GalleryCache } from "./gallery";

// A site with more templates than the loader decrypts in its own thread (so the worker-thread path runs),
// plus templates that must stay out of the gallery, each of which is then used as a probe.

const MODEL = MODELS.embedding.version;
const DIMENSIONS = 512;
const LARGE = 6000;

let testDb: Awaited<ReturnType<typeof createTestDatabase>>;
let orgId: string;
let largeSite: string;
let smallSite: string;
const enrolled: { subjectId: string; templateId: string; embedding: Float32Array }[] = [];
const excluded: Record<string, Float32Array> = {};

function unitVector(): Float32Array {
  const vector = Float32Array.from({ length: DIMENSIONS }, () => {
    const u = 1 - Math.random();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * Math.random());
  });
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

/** Another photo of the same person: cosine about 0.7. */
function anotherPhoto(template: Float32Array): Float32Array {
  const noise = unitVector();
  return template.map((value, i) => value + (noise[i] as number));
}

/** `count` consenting people at `siteId`, one template each; returns their rows. */
async function enrol(siteId: string, count: number, model = MODEL) {
  const { sql } = testDb;
  const consents = await sql<{ id: string; subject_id: string }[]>`
    with people as (
      insert into subjects (org_id, pseudonym)
      select ${orgId}, 'p-' || gen_random_uuid() from generate_series(1, ${count})
      returning id)
    insert into consents (org_id, subject_id, site_id, purpose, scopes, method, given_at)
    select ${orgId}, id, ${siteId}, 'entry_verification', '{recognition}', 'written', now() from people
    returning id, subject_id`;
  const rows = consents.map((consent) => ({ consent, embedding: unitVector() }));
  for (let start = 0; start < rows.length; start += 1000) {
    const inserted = await sql<{ id: string }[]>`
      insert into face_templates ${sql(
        rows.slice(start, start + 1000).map(({ consent, embedding }) => ({
          org_id: orgId,
          subject_id: consent.subject_id,
          site_id: siteId,
          consent_id: consent.id,
          model_id: model,
          model_version: "1",
          embedding_enc: sealEmbedding(embedding),
        })),
      )}
      returning id`;
    for (const [i, { id }] of inserted.entries()) {
      const row = rows[start + i] as (typeof rows)[number];
      enrolled.push({ subjectId: row.consent.subject_id, templateId: id, embedding: row.embedding });
    }
  }
  return enrolled.slice(-count);
}

beforeAll(async () => {
  testDb = await createTestDatabase();
  orgId = (await makeOrganization(testDb.db)).id;
  largeSite = (await makeAnalysedSite(testDb.db, orgId, { name: "Arena", cameras: [] })).siteId;
  smallSite = (await makeAnalysedSite(testDb.db, orgId, { name: "Kiosk", cameras: [] })).siteId;
  await enrol(largeSite, LARGE);
  await enrol(smallSite, 3);
  const { sql } = testDb;
  // One of each kind that must stay out of the large site's gallery.
  const [withdrawn] = await enrol(largeSite, 1);
  await sql`update consents set withdrawn_at = now() where subject_id = ${withdrawn?.subjectId ?? ""}`;
  const [erased] = await enrol(largeSite, 1);
  await sql`update subjects set erased_at = now() where id = ${erased?.subjectId ?? ""}`;
  const [queued] = await enrol(largeSite, 1);
  await sql`update face_templates set deletion_queued_at = now() where id = ${queued?.templateId ?? ""}`;
  const [notRecognition] = await enrol(largeSite, 1);
  await sql`update consents set scopes = '{central_storage}' where subject_id = ${notRecognition?.subjectId ?? ""}`;
  const [olderModel] = await enrol(largeSite, 1, "fr_feature@older");
  for (const [kind, row] of Object.entries({ withdrawn, erased, queued, notRecognition, olderModel })) {
    excluded[kind] = (row as (typeof enrolled)[number]).embedding;
  }
}, 120_000);
afterAll(async () => {
  await testDb?.drop();
});

describe("GalleryCache", { timeout: 60_000 }, () => {
  it("loads a large site's active templates, and finds each person by another photo", async () => {
    const gallery = await new GalleryCache(testDb.db, MODEL).forSite(largeSite);
    expect(gallery.size).toBe(LARGE);
    const large = enrolled.slice(0, LARGE);
    for (const person of [large[0], large[1234], large[LARGE - 1]]) {
      const { subjectId, templateId, embedding } = person as (typeof enrolled)[number];
      const found = gallery.best({ embedding: anotherPhoto(embedding), modelId: MODEL }, DEFAULT_MATCH_THRESHOLD);
      expect(found?.subjectId).toEqual({ subjectId, templateId });
    }
    for (const embedding of Object.values(excluded)) {
      expect(gallery.best({ embedding, modelId: MODEL }, DEFAULT_MATCH_THRESHOLD)).toBeNull();
    }
    expect(Object.keys(excluded)).toHaveLength(5);
    expect(() =>
      gallery.best({ embedding: unitVector(), modelId: "fr_feature@older" }, DEFAULT_MATCH_THRESHOLD),
    ).toThrow(/re-enrol templates after a model change/);
  });

  it("loads a small site's gallery, caches it until invalidated, and loads afresh after", async () => {
    const cache = new GalleryCache(testDb.db, MODEL);
    const first = await cache.forSite(smallSite);
    expect(first.size).toBe(3);
    expect(await cache.forSite(smallSite)).toBe(first);
    const [added] = await enrol(smallSite, 1);
    expect(await cache.forSite(smallSite)).toBe(first);
    cache.invalidate(smallSite);
    const reloaded = await cache.forSite(smallSite);
    expect(reloaded.size).toBe(4);
    const { subjectId, templateId, embedding } = added as (typeof enrolled)[number];
    expect(reloaded.best({ embedding, modelId: MODEL }, DEFAULT_MATCH_THRESHOLD)).toEqual({
      subjectId: { subjectId, templateId },
      similarity: expect.closeTo(1, 6),
    });
  });

  it("reloads after its time limit", async () => {
    const cache = new GalleryCache(testDb.db, MODEL, 0);
    const first = await cache.forSite(smallSite);
    expect(await cache.forSite(smallSite)).not.toBe(first);
  });
});
