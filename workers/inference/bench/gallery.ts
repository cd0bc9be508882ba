// `npx tsx workers/inference/bench/gallery.ts`: one site with 100,000 consenting people's templates in
// PostgreSQL (sealed as enrolment seals them), then how long GalleryCache takes to load that gallery and
// how much memory it takes, how long a match takes (p50/p95 over 1000 probes: half noisy copies of enrolled
// people, half strangers) and its recall against an exact scan. Last line: a JSON summary.
// The templates are synthetic, shaped like face embeddings (./common.ts, syntheticFaces). Run by
// scripts/bench-vision.ts.
import { makeAnalysedSite, makeOrganization } from "@consentry/core/testing";
import { createTestDatabase } from "@consentry/db/testing";
import { env } from "@consentry/env";
import { DEFAULT_MATCH_THRESHOLD, MODELS } from "@consentry/vision";
import { percentile } from "../../../scripts/lib/web-app";
import { GalleryCache } from "../src/gallery";
import { round, seedTemplates, summary, syntheticFaces } from "./common";

const GALLERY_SIZE = 100_000;
const PROBES = 1000;
/** Probes also searched exhaustively, for recall (each exhaustive search reads all 205 MB). */
const EXACT_PROBES = 200;
const DIMENSIONS = 512;

const modelId = MODELS.embedding.version;
const { person, anotherPhoto } = syntheticFaces(DIMENSIONS);

const database = await createTestDatabase(env.DATABASE_URL);
try {
  const org = await makeOrganization(database.db);
  const { siteId } = await makeAnalysedSite(database.db, org.id, { name: "Bench Stadium", cameras: [] });
  const started = performance.now();
  const templates = new Float32Array(GALLERY_SIZE * DIMENSIONS);
  const { subjectIds: subjectOf } = await seedTemplates(database.db, {
    orgId: org.id,
    siteId: siteId,
    count: GALLERY_SIZE,
    modelId,
    embedding: (i) => {
      const template = person();
      templates.set(template, i * DIMENSIONS);
      return template;
    },
  });
  console.log(
    `setup: ${GALLERY_SIZE} subjects, consents and sealed templates in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );

  // Loading, with the resident memory sampled while it runs: once as a worker's first load, then again
  // as after an invalidation (the previous gallery dropped first, as GalleryCache does).
  const load = async (label: string) => {
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 10);
    const loadStarted = performance.now();
    const loaded = await new GalleryCache(database.db, modelId).forSite(siteId);
    const ms = performance.now() - loadStarted;
    clearInterval(sampler);
    const rssAfter = process.memoryUsage().rss;
    const mb = (Math.max(rssPeak, rssAfter) - rssBefore) / 1048576;
    console.log(
      `${label}: ${loaded.size} templates in ${ms.toFixed(0)} ms; RSS +${mb.toFixed(0)} MB at peak, +${((rssAfter - rssBefore) / 1048576).toFixed(0)} MB after`,
    );
    return { loaded, ms, mb };
  };
  const { ms: loadMs, mb: loadMb } = await load("load");
  const gallery = (await load("load again")).loaded;
  if (gallery.size !== GALLERY_SIZE) throw new Error(`loaded ${gallery.size} templates, expected ${GALLERY_SIZE}`);

  // Matching: even probes are another photo of an enrolled person, odd ones strangers.
  const probes = Array.from({ length: PROBES }, (_, i) => {
    if (i % 2 === 1) return { embedding: person(), modelId, enrolled: -1 };
    const row = Math.floor((i / PROBES) * GALLERY_SIZE);
    const noise = 0.7 + (i % 10) * 0.06; // cosines from about 0.82 down to 0.63
    return {
      embedding: anotherPhoto(templates.subarray(row * DIMENSIONS, (row + 1) * DIMENSIONS), noise),
      modelId,
      enrolled: row,
    };
  });
  for (const probe of probes.slice(0, 50)) gallery.best(probe, DEFAULT_MATCH_THRESHOLD); // warm up
  const times: number[] = [];
  const results = probes.map((probe) => {
    const before = performance.now();
    const found = gallery.best(probe, DEFAULT_MATCH_THRESHOLD);
    times.push(performance.now() - before);
    return found;
  });
  const quantile = (q: number) => percentile(times, q * 100);
  const genuineFound = probes.filter(
    (probe, i) => probe.enrolled >= 0 && results[i]?.subjectId.subjectId === subjectOf[probe.enrolled],
  ).length;
  const strangersMatched = probes.filter((probe, i) => probe.enrolled < 0 && results[i]).length;
  console.log(
    `match (${GALLERY_SIZE} templates, threshold ${DEFAULT_MATCH_THRESHOLD}): p50 ${quantile(0.5).toFixed(3)} ms, p95 ${quantile(0.95).toFixed(3)} ms, max ${quantile(1).toFixed(3)} ms; ${genuineFound}/${PROBES / 2} enrolled people found, ${strangersMatched}/${PROBES / 2} strangers matched someone`,
  );

  // Recall: the exhaustive scan's answers on a sample of the probes.
  let exactMatches = 0;
  let agreed = 0;
  let worstDifference = 0;
  let impostorSum = 0;
  let impostorSquares = 0;
  let impostorCount = 0;
  for (const [i, probe] of probes.entries()) {
    if (i >= EXACT_PROBES) break;
    let bestRow = -1;
    let bestSimilarity = DEFAULT_MATCH_THRESHOLD;
    for (let row = 0; row < GALLERY_SIZE; row++) {
      let similarity = 0;
      for (let d = 0, at = row * DIMENSIONS; d < DIMENSIONS; d++, at++)
        similarity += (templates[at] as number) * (probe.embedding[d] as number);
      if (probe.enrolled < 0) {
        impostorSum += similarity;
        impostorSquares += similarity * similarity;
        impostorCount++;
      }
      if (similarity >= bestSimilarity) {
        bestRow = row;
        bestSimilarity = similarity;
      }
    }
    const found = results[i];
    if (bestRow < 0) {
      if (found) throw new Error(`probe ${i}: matched at ${found.similarity}, the exhaustive scan found nobody`);
      continue;
    }
    exactMatches++;
    if (found && found.subjectId.subjectId === subjectOf[bestRow]) {
      agreed++;
      worstDifference = Math.max(worstDifference, Math.abs(found.similarity - bestSimilarity));
    }
  }
  const recall = exactMatches > 0 ? agreed / exactMatches : 1;
  const impostorMean = impostorSum / impostorCount;
  const impostorSd = Math.sqrt(impostorSquares / impostorCount - impostorMean ** 2);
  console.log(
    `recall: ${agreed}/${exactMatches} of the exhaustive scan's matches over ${EXACT_PROBES} probes (similarities equal within ${worstDifference.toExponential(1)}); strangers scored N(${impostorMean.toFixed(3)}, ${impostorSd.toFixed(3)})`,
  );
  console.log("match_100k_ms is the p95 of the matches above");
  summary({
    match_100k_ms: round(quantile(0.95), 3),
    match_100k_p50_ms: round(quantile(0.5), 3),
    gallery_load_100k_ms: Math.round(loadMs),
    gallery_load_100k_mb: Math.round(loadMb),
    match_recall: round(recall, 4),
  });
} finally {
  await database.drop();
}
process.exit(0);
