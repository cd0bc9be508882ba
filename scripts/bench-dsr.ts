// `npm run bench:dsr`: erasure for a deletion request at scale. In a private database, one person
// with 100,000 recognition events, 20 face templates and 5 enrolment photos (encrypted files),
// among 500 other people with 200,000 events of their own; times the erasure from start to
// certificate (target under 2 s), checks the residual scan finds nothing and that a retry
// returns the same certificate. Last line: a JSON summary.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eraseSubjectForRequest, scanResidue } from "@consentry/core/dsr";
import { encryptBytes, encryptString, sealEmbedding } from "@consentry/crypto";
import { eq, schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { createFileStore } from "@consentry/storage";
import { services } from "./lib/run";

const EVENTS = 100_000;
const TEMPLATES = 20;
const PHOTOS = 5;
const OTHER_PEOPLE = 500;
const OTHER_EVENTS = 200_000;
const TARGET_MS = 2000;

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
process.env.DATABASE_URL = svc.databaseUrl;
const database = await createTestDatabase(svc.databaseUrl);
const { db } = database;
const storageDir = mkdtempSync(join(tmpdir(), "consentry-bench-dsr-"));
const storage = createFileStore(storageDir);

try {
  const seedStart = performance.now();
  const [org] = await db.insert(schema.organizations).values({ name: "Bench Org", slug: "bench-dsr" }).returning();
  const orgId = org?.id as string;
  const [site] = await db
    .insert(schema.sites)
    .values({
      orgId,
      code: "S-DSR001",
      name: "Bench Site",
      address: "1 Road",
      regionCode: "310101",
      kind: "residential",
    })
    .returning();
  const siteId = site?.id as string;
  const cameras = await db
    .insert(schema.cameras)
    .values(
      Array.from({ length: 8 }, (_, i) => ({
        orgId,
        siteId,
        name: `Gate ${i}`,
        rtspUrlEnc: encryptString(`rtsp://10.0.0.${i}/gate`, "cameras.rtsp_url"),
        rtspUrlMasked: `rtsp://10.0.0.${i}/gate`,
        locationType: "entrance" as const,
        frEnabled: true,
      })),
    )
    .returning({ id: schema.cameras.id });
  const cameraArray = sql.raw(`array[${cameras.map((c) => `'${c.id}'::uuid`).join(",")}]`);

  const [subject] = await db
    .insert(schema.subjects)
    .values({
      orgId,
      pseudonym: "P-BENCH1",
      displayNameEnc: encryptString("Bench Person", "subjects.display_name"),
      contactEnc: encryptString("bench@example.cn", "subjects.contact"),
      birthYear: 1985,
    })
    .returning();
  const subjectId = subject?.id as string;
  const [consent] = await db
    .insert(schema.consents)
    .values({ orgId, subjectId, siteId, purpose: "entry_verification", method: "written", givenAt: new Date() })
    .returning();
  const embeddingEnc = sealEmbedding(new Float32Array(512).fill(0.04));
  const templates = await db
    .insert(schema.faceTemplates)
    .values(
      Array.from({ length: TEMPLATES }, () => ({
        orgId,
        subjectId,
        siteId,
        consentId: consent?.id,
        modelId: "fr_feature",
        modelVersion: "1",
        embeddingEnc,
      })),
    )
    .returning({ id: schema.faceTemplates.id });
  const [enrolment] = await db
    .insert(schema.enrolments)
    .values({ orgId, subjectId, siteId, consentId: consent?.id, status: "done" })
    .returning();
  for (let position = 0; position < PHOTOS; position++) {
    const photo = new Uint8Array(200_000).map((_, i) => (i * 31 + position) % 251);
    const { key } = await storage.put(
      "enrolment-photo",
      Buffer.from(encryptBytes(photo, "enrolment_photos.photo")),
      "bin",
    );
    await db.insert(schema.enrolmentPhotos).values({
      enrolmentId: enrolment?.id as string,
      subjectId,
      position,
      storageKey: key,
      status: "accepted",
      templateId: templates[position]?.id,
    });
  }
  const templateArray = sql.raw(`array[${templates.map((t) => `'${t.id}'::uuid`).join(",")}]`);
  await db.execute(sql`
    insert into recognition_events (org_id, site_id, camera_id, subject_id, template_id, model_id, at, score)
    select ${orgId}, ${siteId}, (${cameraArray})[1 + g % ${cameras.length}], ${subjectId},
           (${templateArray})[1 + g % ${TEMPLATES}], 'fr_feature', now() - g * interval '1 minute', 0.8
    from generate_series(1, ${EVENTS}) g`);

  // Everyone else: their rows must survive, and make the tables realistically large.
  await db.execute(sql`
    insert into subjects (org_id, pseudonym) select ${orgId}, 'P-OTHER' || g from generate_series(1, ${OTHER_PEOPLE}) g`);
  await db.execute(sql`
    insert into face_templates (org_id, subject_id, site_id, model_id, model_version, embedding_enc)
    select s.org_id, s.id, ${siteId}, 'fr_feature', '1', ${embeddingEnc} from subjects s where s.pseudonym like 'P-OTHER%'`);
  await db.execute(sql`
    insert into recognition_events (org_id, site_id, camera_id, subject_id, template_id, model_id, at, score)
    select t.org_id, t.site_id, (${cameraArray})[1 + g % ${cameras.length}], t.subject_id, t.id, 'fr_feature',
           now() - g * interval '1 second', 0.7
    from generate_series(1, ${OTHER_EVENTS}) g
    join (select id, org_id, site_id, subject_id, row_number() over (order by id) as n from face_templates
          where subject_id <> ${subjectId}) t on t.n = 1 + g % ${OTHER_PEOPLE}`);
  await db.execute(sql`analyze`);
  const [request] = await db
    .insert(schema.dsrRequests)
    .values({
      orgId,
      siteId,
      subjectId,
      type: "deletion",
      referenceCode: "R-BENCH0001",
      contactEnc: encryptString("{}", "dsr_requests.contact"),
      contactHash: "h".repeat(64),
      verifiedAt: new Date(),
      status: "approved",
    })
    .returning();
  const requestId = request?.id as string;
  console.log(
    `seeded 1 person with ${EVENTS.toLocaleString("en")} events, ${TEMPLATES} templates, ${PHOTOS} photos; ` +
      `${OTHER_PEOPLE} others with ${OTHER_EVENTS.toLocaleString("en")} events, in ${Math.round(performance.now() - seedStart)} ms`,
  );

  const steps: string[] = [];
  let last = performance.now();
  const start = last;
  const result = await eraseSubjectForRequest({
    db,
    storage,
    requestId,
    afterStep: (step) => {
      const now = performance.now();
      steps.push(`${step} ${Math.round(now - last)} ms`);
      last = now;
    },
  });
  const eraseMs = performance.now() - start;
  console.log(`steps: ${steps.join(", ")}; certificate ${Math.round(performance.now() - last)} ms`);
  console.log(
    `erasure to certificate: ${Math.round(eraseMs)} ms (target < ${TARGET_MS} ms) ${eraseMs < TARGET_MS ? "OK" : "TOO SLOW"}`,
  );
  console.log(`certificate ${result.sha256}: ${JSON.stringify(result.certificate.items)}`);

  // An independent look after the fact, with the same scan the certificate relies on.
  const [progress] = await db.select().from(schema.dsrErasures).where(eq(schema.dsrErasures.requestId, requestId));
  const residue = await scanResidue(db, storage, subjectId, progress?.photoKeys ?? []);
  console.log(
    `residual scan: ${residue.rows} rows (${JSON.stringify(residue.byTable)}), ${residue.files} of ${residue.keysChecked} files`,
  );
  const [others] = await db.execute<{ events: number; templates: number }>(sql`
    select (select count(*)::int from recognition_events) as events, (select count(*)::int from face_templates) as templates`);
  console.log(`others untouched: ${others?.events} events, ${others?.templates} templates`);

  const retryStart = performance.now();
  const retry = await eraseSubjectForRequest({ db, storage, requestId });
  const retryMs = performance.now() - retryStart;
  console.log(`retry after completion: ${retryMs.toFixed(1)} ms, same certificate: ${retry.sha256 === result.sha256}`);

  console.log(
    JSON.stringify({
      erase_ms: Math.round(eraseMs),
      residual_rows: residue.rows,
      residual_files: residue.files,
      retry_ms: Number(retryMs.toFixed(1)),
      same_certificate: retry.sha256 === result.sha256,
      events: result.certificate.items.recognitionEvents,
      templates: result.certificate.items.templates,
      photos: result.certificate.items.photoFiles,
      other_events_kept: others?.events ?? 0,
      target_ms: TARGET_MS,
    }),
  );
} finally {
  await database.drop();
  rmSync(storageDir, { recursive: true, force: true });
  await svc.stop();
}
