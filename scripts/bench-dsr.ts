// `npm run bench:dsr`: erasure for a deletion request at scale. In a private database, two people
// with 100,000 recognition events, 20 face templates and 5 enrolment photos (encrypted files) each,
// among 500 other people with 200,000 events of their own. The first is erased in-process (start
// to certificate, target under 2 s; a retry must return the same certificate), the second through
// the real path: the request approved with the web app's use case, the job relayed to BullMQ and
// erased by a real ops worker process (approval to certificate). After each, an independent check
// (scripts/lib/residue, raw SQL over every column of every table, the storage folder and Redis)
// looks for anything left of the person. `--scale 0.1` seeds a tenth.
// Last line: a JSON summary.
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eraseSubjectForRequest } from "@consentry/core/dsr";
import { approveRequest } from "@consentry/core/requests";
import { encryptBytes, encryptString, sealEmbedding } from "@consentry/crypto";
import { schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { createJobProducer, producerOptions, QUEUE_NAMES, redisConnection } from "@consentry/queue";
import { createFileStore } from "@consentry/storage";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import postgres from "postgres";
import { killWorker, startWorker } from "./lib/faults/processes";
import { killWithParent } from "./lib/processes";
import { benchScale } from "./lib/residue/bench-scale";
import {
  type CheckResult,
  describeFindings,
  ERASURE_ALLOWED,
  independentCheck,
  type Needle,
} from "./lib/residue/independent-check";
import { services } from "./lib/run";

const SCALE = benchScale();
const EVENTS = Math.round(100_000 * SCALE);
const TEMPLATES = 20;
const PHOTOS = 5;
const OTHER_PEOPLE = 500;
const OTHER_EVENTS = Math.round(200_000 * SCALE);
const TARGET_MS = 2000;
const QUEUE_TIMEOUT_MS = 120_000;

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
process.env.DATABASE_URL = svc.databaseUrl;
const database = await createTestDatabase(svc.databaseUrl);
const { db } = database;
// The independent check's own connection: nothing of the product's pool or query builder.
const checkSql = postgres(database.url, { max: 2, onnotice: () => {} });
const redis = new Redis(redisConnection(svc.redisUrl));
const prefix = `bench-dsr-${randomBytes(4).toString("hex")}`;
const storageDir = mkdtempSync(join(tmpdir(), "consentry-bench-dsr-"));
const storage = createFileStore(storageDir);
const jobs = createJobProducer(svc.redisUrl, prefix);
let worker: ReturnType<typeof startWorker> | undefined;

type Person = {
  label: string;
  subjectId: string;
  requestId: string;
  needles: Needle[];
};

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
        // Disabled: the ops worker's probe sweep leaves them alone while it erases.
        disabledAt: new Date(),
      })),
    )
    .returning({ id: schema.cameras.id });
  const cameraArray = sql.raw(`array[${cameras.map((c) => `'${c.id}'::uuid`).join(",")}]`);
  const embeddingEnc = sealEmbedding(new Float32Array(512).fill(0.04));

  /** One person with events, templates, photos (files) and a verified deletion request. */
  async function seedPerson(index: number, status: "approved" | "open"): Promise<Person> {
    const name = `Bench Person ${index}`;
    const contact = `bench${index}@example.cn`;
    const pseudonym = `P-BENCH${index}`;
    const [subject] = await db
      .insert(schema.subjects)
      .values({
        orgId,
        pseudonym,
        displayNameEnc: encryptString(name, "subjects.display_name"),
        contactEnc: encryptString(contact, "subjects.contact"),
        birthYear: 1985,
      })
      .returning();
    const subjectId = subject?.id as string;
    const [consent] = await db
      .insert(schema.consents)
      .values({ orgId, subjectId, siteId, purpose: "entry_verification", method: "written", givenAt: new Date() })
      .returning();
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
    const photos: { id: string; key: string }[] = [];
    for (let position = 0; position < PHOTOS; position++) {
      const photo = new Uint8Array(200_000).map((_, i) => (i * 31 + position * 7 + index) % 251);
      const { key } = await storage.put(
        "enrolment-photo",
        Buffer.from(encryptBytes(photo, "enrolment_photos.photo")),
        "bin",
      );
      const [row] = await db
        .insert(schema.enrolmentPhotos)
        .values({
          enrolmentId: enrolment?.id as string,
          subjectId,
          position,
          storageKey: key,
          status: "accepted",
          templateId: templates[position]?.id,
        })
        .returning({ id: schema.enrolmentPhotos.id });
      photos.push({ id: row?.id as string, key });
    }
    const templateArray = sql.raw(`array[${templates.map((t) => `'${t.id}'::uuid`).join(",")}]`);
    await db.execute(sql`
      insert into recognition_events (org_id, site_id, camera_id, subject_id, template_id, model_id, at, score)
      select ${orgId}, ${siteId}, (${cameraArray})[1 + g % ${cameras.length}], ${subjectId},
             (${templateArray})[1 + g % ${TEMPLATES}], 'fr_feature', now() - g * interval '1 minute', 0.8
      from generate_series(1, ${EVENTS}) g`);
    const contactHash = createHash("sha256").update(`bench-contact-${index}`).digest("hex");
    const [request] = await db
      .insert(schema.dsrRequests)
      .values({
        orgId,
        siteId,
        subjectId,
        type: "deletion",
        referenceCode: `R-BENCH000${index}`,
        contactEnc: encryptString(JSON.stringify({ email: contact }), "dsr_requests.contact"),
        contactHash,
        verifiedAt: new Date(),
        status,
      })
      .returning();
    const requestId = request?.id as string;
    return {
      label: pseudonym,
      subjectId,
      requestId,
      needles: [
        { kind: "subject", value: subjectId },
        ...templates.map((t) => ({ kind: "template" as const, value: t.id })),
        { kind: "consent", value: consent?.id as string },
        { kind: "enrolment", value: enrolment?.id as string },
        ...photos.map((p) => ({ kind: "photo" as const, value: p.id })),
        ...photos.map((p) => ({ kind: "photoFile" as const, value: p.key })),
        { kind: "request", value: requestId },
        { kind: "contactHash", value: contactHash },
        { kind: "pseudonym", value: pseudonym },
        { kind: "plaintext", value: name },
        { kind: "plaintext", value: contact },
      ],
    };
  }

  const inProcess = await seedPerson(1, "approved");
  const queued = await seedPerson(2, "open");

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
          where subject_id not in (${inProcess.subjectId}, ${queued.subjectId})) t on t.n = 1 + g % ${OTHER_PEOPLE}`);
  await db.execute(sql`analyze`);
  console.log(
    `seeded 2 people with ${EVENTS.toLocaleString("en")} events, ${TEMPLATES} templates, ${PHOTOS} photos each; ` +
      `${OTHER_PEOPLE} others with ${OTHER_EVENTS.toLocaleString("en")} events, in ${Math.round(performance.now() - seedStart)} ms`,
  );

  /** What the person has, counted with raw SQL and the file system (not from any certificate). */
  async function holdings(person: Person) {
    const [rows] = await checkSql<{ events: number; templates: number; photos: number }[]>`
      select (select count(*)::int from recognition_events where subject_id = ${person.subjectId}) as events,
             (select count(*)::int from face_templates where subject_id = ${person.subjectId}) as templates,
             (select count(*)::int from enrolment_photos where subject_id = ${person.subjectId}) as photos`;
    const keys = person.needles.filter((n) => n.kind === "photoFile").map((n) => n.value);
    let files = 0;
    for (const key of keys)
      files += await storage.read(key).then(
        () => 1,
        () => 0,
      );
    return { events: rows?.events ?? 0, templates: rows?.templates ?? 0, photos: rows?.photos ?? 0, files };
  }
  const check = (person: Person) =>
    independentCheck({
      sql: checkSql,
      needles: person.needles,
      allowed: ERASURE_ALLOWED,
      storageRoot: storageDir,
      redis: { client: redis, prefixes: [prefix] },
    });
  const report = (label: string, result: CheckResult) => {
    console.log(
      `independent check after ${label}: ${result.rows} rows (${JSON.stringify(result.byTable)}), ${result.files} files, ` +
        `${result.redisKeys} Redis keys left; searched ${result.columnsSearched} columns, ${result.filesSearched} files, ` +
        `${result.keysSearched} keys; ${result.allowed.length} allowed places`,
    );
    for (const line of describeFindings(result)) console.log(`  ${line}`);
  };

  // ── in-process ──
  const before = await holdings(inProcess);
  const steps: string[] = [];
  let last = performance.now();
  const start = last;
  const result = await eraseSubjectForRequest({
    db,
    storage,
    requestId: inProcess.requestId,
    afterStep: (step) => {
      const now = performance.now();
      steps.push(`${step} ${Math.round(now - last)} ms`);
      last = now;
    },
  });
  const eraseMs = performance.now() - start;
  console.log(`steps: ${steps.join(", ")}; certificate ${Math.round(performance.now() - last)} ms`);
  console.log(
    `erasure to certificate (in-process): ${Math.round(eraseMs)} ms (target < ${TARGET_MS} ms) ${eraseMs < TARGET_MS ? "OK" : "TOO SLOW"}`,
  );
  console.log(`certificate ${result.sha256}: ${JSON.stringify(result.certificate.items)}`);
  const after = await holdings(inProcess);
  const erased = {
    events: before.events - after.events,
    templates: before.templates - after.templates,
    photos: before.photos - after.photos,
    files: before.files - after.files,
  };
  const items = result.certificate.items;
  const certificateMatches =
    items.recognitionEvents === erased.events &&
    items.templates === erased.templates &&
    items.enrolmentPhotos === erased.photos &&
    items.photoFiles === erased.files;
  console.log(
    `counted independently: ${erased.events} events, ${erased.templates} templates, ${erased.photos} photos, ` +
      `${erased.files} files erased; the certificate ${certificateMatches ? "agrees" : "DISAGREES"}`,
  );
  const inProcessCheck = await check(inProcess);
  report("the in-process erasure", inProcessCheck);

  const retryStart = performance.now();
  const retry = await eraseSubjectForRequest({ db, storage, requestId: inProcess.requestId });
  const retryMs = performance.now() - retryStart;
  console.log(`retry after completion: ${retryMs.toFixed(1)} ms, same certificate: ${retry.sha256 === result.sha256}`);

  // ── through the queue and a real ops worker process ──
  worker = startWorker("ops worker", "@consentry/ops-worker", {
    ...process.env,
    APP_ENV: "test",
    DATABASE_URL: database.url,
    REDIS_URL: svc.redisUrl,
    QUEUE_PREFIX: prefix,
    CONSENTRY_STORAGE_DIR: storageDir,
    CAMERA_PROBE_INTERVAL_MS: String(3_600_000),
    LOG_LEVEL: "info",
  });
  killWithParent(worker.child, "SIGKILL", { group: true });
  const erasureQueue = new Queue(QUEUE_NAMES.dsrErasure, producerOptions(svc.redisUrl, prefix));
  const upBy = Date.now() + 60_000;
  while ((await erasureQueue.getWorkersCount()) === 0) {
    if (Date.now() > upBy || worker.child.exitCode !== null) {
      throw new Error(`the ops worker did not come up:\n${worker.log.slice(-20).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await erasureQueue.close();
  const queuedBefore = await holdings(queued);
  const queueStart = performance.now();
  await approveRequest({ db, actor: { userId: null, label: "bench" }, orgId, jobs }, { requestId: queued.requestId });
  const approvedMs = performance.now() - queueStart;
  let status = "";
  while (status !== "completed") {
    if (performance.now() - queueStart > QUEUE_TIMEOUT_MS) {
      throw new Error(`no certificate within ${QUEUE_TIMEOUT_MS} ms:\n${worker.log.slice(-20).join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    const [row] = await checkSql<{ status: string }[]>`select status from dsr_requests where id = ${queued.requestId}`;
    status = row?.status ?? "";
  }
  const queueMs = performance.now() - queueStart;
  // The worker's own measure of the job, from its log line (counts and ids only), written just after the commit.
  const erasedLogLine = (lines: string[]) =>
    lines
      .map((line) => {
        try {
          return JSON.parse(line) as { msg?: string; durationMs?: number; requestId?: string };
        } catch {
          return {};
        }
      })
      .find((line) => line.msg?.startsWith("subject erased") && line.requestId === queued.requestId);
  const logBy = Date.now() + 5_000;
  while (!erasedLogLine(worker.log) && Date.now() < logBy) await new Promise((resolve) => setTimeout(resolve, 20));
  const erasedLine = erasedLogLine(worker.log);
  await killWorker(worker, "SIGTERM");
  const queuedAfter = await holdings(queued);
  console.log(
    `erasure through the queue and the ops worker: approval ${Math.round(approvedMs)} ms, approval to certificate ` +
      `${Math.round(queueMs)} ms, the worker's job ${erasedLine?.durationMs ?? "?"} ms; ` +
      `erased ${queuedBefore.events - queuedAfter.events} events, ${queuedBefore.templates - queuedAfter.templates} templates, ` +
      `${queuedBefore.files - queuedAfter.files} files`,
  );
  const queueCheck = await check(queued);
  report("the erasure through the queue (Redis included)", queueCheck);

  const [others] = await checkSql<{ events: number; templates: number }[]>`
    select (select count(*)::int from recognition_events) as events, (select count(*)::int from face_templates) as templates`;
  console.log(`others untouched: ${others?.events} events, ${others?.templates} templates`);

  console.log(
    JSON.stringify({
      erase_ms: Math.round(eraseMs),
      residual_rows: inProcessCheck.rows + queueCheck.rows,
      residual_files: inProcessCheck.files + queueCheck.files,
      retry_ms: Number(retryMs.toFixed(1)),
      same_certificate: retry.sha256 === result.sha256,
      events: erased.events,
      templates: erased.templates,
      photos: erased.files,
      other_events_kept: others?.events ?? 0,
      target_ms: TARGET_MS,
      queue_erase_ms: Math.round(queueMs),
      queue_worker_job_ms: erasedLine?.durationMs ?? null,
      residual_redis_keys: queueCheck.redisKeys,
      residual_places: inProcessCheck.residue.length + queueCheck.residue.length,
      allowed_places: queueCheck.allowed.length,
      certificate_matches: certificateMatches,
      scale: SCALE,
    }),
  );
} finally {
  if (worker) await killWorker(worker, "SIGKILL");
  await jobs.close();
  const keys = await redis.keys(`${prefix}:*`).catch(() => []);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await checkSql.end({ timeout: 5 });
  await database.drop();
  rmSync(storageDir, { recursive: true, force: true });
  await svc.stop();
}
