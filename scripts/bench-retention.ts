// `npm run bench:retention`: the retention job at scale. In a private database, 2,000,000
// recognition events (1,000,000 past the 30-day policy) and 50,000 face templates (10,000 unused
// past the 365-day policy), each with its enrolment photo (a row and a file), over 1,000 cameras
// at 50 sites. One run of the retention job (`runRetention`) while a reader keeps calling the
// fleet list (`listCameras`, as the Cameras page does): its p95 during the purge against its p95
// at rest. Then an independent check (scripts/lib/residue: raw SQL over every column of every
// table, and the storage folder) looks for anything left of what expired, and the data that had
// not expired is counted. `--scale 0.1` seeds a tenth. Last line: a JSON summary.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unknownLeases } from "@consentry/api";
import { listCameras } from "@consentry/core/cameras";
import { runRetention, totalsOf } from "@consentry/core/retention";
import { cameraListFilter } from "@consentry/core/validators";
import { encryptString } from "@consentry/crypto";
import { createDatabase } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { createFileStore } from "@consentry/storage";
import postgres from "postgres";
import { benchScale } from "./lib/residue/bench-scale";
import { describeFindings, independentCheck, type Needle, RETENTION_ALLOWED } from "./lib/residue/independent-check";
import { services } from "./lib/run";

const SCALE = benchScale();
const EVENTS = Math.round(2_000_000 * SCALE);
const EXPIRED_EVENTS = Math.round(1_000_000 * SCALE);
const TEMPLATES = Math.round(50_000 * SCALE);
const EXPIRED_TEMPLATES = Math.round(10_000 * SCALE);
const SITES = 50;
const CAMERAS_PER_SITE = 20;
const PHOTO_BYTES = 1024;
/** The reader's pace: a busy fleet page's calls, one every 20 ms, not a loop that would take a core from the job. */
const READER_PAUSE_MS = 20;
const IDLE_MS = 15_000;
const TARGETS = { purge_ms: 60_000, residual_rows: 0, reader_p95_ratio: 2 };

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
};
const ms = (value: number) => Number(value.toFixed(2));

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
process.env.DATABASE_URL = svc.databaseUrl;
const database = await createTestDatabase(svc.databaseUrl);
const { db } = database;
// Seeding and the independent check on a connection of their own; the reader on another, as the web app.
const raw = postgres(database.url, { max: 2, onnotice: () => {} });
const reader = createDatabase(database.url, { applicationName: "consentry-bench-reader", max: 2 });
const storageDir = mkdtempSync(join(tmpdir(), "consentry-bench-retention-"));
const storage = createFileStore(storageDir);

try {
  // ── seed ──
  const seedStart = performance.now();
  const [org] = await raw<{ id: string }[]>`
    insert into organizations (name, slug) values ('Bench Org', 'bench-retention') returning id`;
  const orgId = org?.id as string;
  const sites = await raw<{ id: string }[]>`
    insert into sites (org_id, code, name, address, region_code, kind)
    select ${orgId}, 'S-R' || lpad(g::text, 5, '0'), 'Bench Site ' || g, g || ' Bench Road', '310101', 'office'
    from generate_series(1, ${SITES}) g order by g returning id`;
  const siteIds = sites.map((site) => site.id);
  // Photos are kept for re-enrolment as long as their template (the policy allows at most that):
  // the run must delete the expired templates' photos and keep the others.
  await raw`update retention_policies set days = 365 where kind = 'enrolment_photos'`;
  const rtsp = encryptString("rtsp://bench:secret@10.0.0.1:554/stream", "cameras.rtsp_url");
  await raw`
    insert into cameras (org_id, site_id, name, rtsp_url_enc, rtsp_url_masked, location_type, fr_enabled, status, last_seen_at)
    select ${orgId}, (${siteIds}::uuid[])[1 + (g - 1) / ${CAMERAS_PER_SITE}], 'Gate ' || (g % 50) || ' camera ' || g,
           ${rtsp}, 'rtsp://bench:***@10.0.0.1:554/stream', 'entrance', g % 3 = 0,
           (array['online','online','online','degraded','offline','unknown'])[1 + g % 6]::camera_status,
           now() - g * interval '1 second'
    from generate_series(1, ${SITES * CAMERAS_PER_SITE}) g`;
  // bench_map: n → template, subject, site, enrolment, cameras of its site (dropped before the run).
  await raw`
    insert into subjects (org_id, pseudonym) select ${orgId}, 'P-' || g from generate_series(1, ${TEMPLATES}) g`;
  await raw`
    create table bench_map as
    select g as n, s.id as subject_id, (${siteIds}::uuid[])[1 + (g - 1) % ${SITES}] as site_id, (g - 1) % ${SITES} as site_n,
           g <= ${EXPIRED_TEMPLATES} as expired
    from generate_series(1, ${TEMPLATES}) g join subjects s on s.org_id = ${orgId} and s.pseudonym = 'P-' || g`;
  await raw`create unique index on bench_map (n)`;
  await raw`
    insert into consents (org_id, subject_id, site_id, purpose, method, given_at)
    select ${orgId}, m.subject_id, m.site_id, 'entry_verification', 'written', now() - interval '600 days' from bench_map m`;
  // Expired: made 500 days ago, last used 400 days ago (policy 365); the others used yesterday.
  await raw`
    insert into face_templates (org_id, subject_id, site_id, consent_id, model_id, model_version, embedding_enc, created_at, last_used_at)
    select ${orgId}, m.subject_id, m.site_id, c.id, 'fr_feature', '1', ${randomBytes(48).toString("base64")},
           now() - case when m.expired then interval '500 days' else interval '100 days' end,
           now() - case when m.expired then interval '400 days' else interval '1 day' end
    from bench_map m join consents c on c.subject_id = m.subject_id`;
  await raw`
    insert into enrolments (org_id, subject_id, site_id, consent_id, status, created_at, finished_at)
    select t.org_id, t.subject_id, t.site_id, t.consent_id, 'done', t.created_at, t.created_at from face_templates t`;
  await raw`alter table bench_map add column template_id uuid, add column enrolment_id uuid`;
  await raw`
    update bench_map m set template_id = t.id, enrolment_id = e.id
    from face_templates t join enrolments e on e.subject_id = t.subject_id where t.subject_id = m.subject_id`;
  console.log(`seeded sites, ${SITES * CAMERAS_PER_SITE} cameras, ${TEMPLATES} people and templates`);

  // One photo file per template, written through the file store; rows inserted from arrays.
  const keys: string[] = new Array(TEMPLATES);
  for (let offset = 0; offset < TEMPLATES; offset += 256) {
    await Promise.all(
      Array.from({ length: Math.min(256, TEMPLATES - offset) }, async (_, i) => {
        keys[offset + i] = (await storage.put("enrolment-photo", randomBytes(PHOTO_BYTES), "bin")).key;
      }),
    );
  }
  for (let offset = 0; offset < TEMPLATES; offset += 10_000) {
    const chunk = keys.slice(offset, offset + 10_000);
    await raw`
      insert into enrolment_photos (enrolment_id, subject_id, position, storage_key, status, template_id)
      select m.enrolment_id, m.subject_id, 0, k.key, 'accepted', m.template_id
      from unnest(${chunk}::text[]) with ordinality k(key, i) join bench_map m on m.n = ${offset} + k.i`;
  }
  console.log(`seeded ${TEMPLATES} photos (rows and files) in ${Math.round(performance.now() - seedStart)} ms`);

  // Events on the cameras of the template's site. Expired: 31 to 400 days old, any template;
  // the others within the last 29 days, templates in use only.
  const bySite = await raw<{ site_id: string; ids: string[] }[]>`
    select site_id, array_agg(id order by id) as ids from cameras group by site_id`;
  const siteCameras = siteIds.flatMap((id) => bySite.find((row) => row.site_id === id)?.ids ?? []);
  if (siteCameras.length !== SITES * CAMERAS_PER_SITE) throw new Error("every camera belongs to a seeded site");
  const eventsStart = performance.now();
  const eventsInsert = (tx: postgres.TransactionSql, count: number, expired: boolean) => tx`
    insert into recognition_events (org_id, site_id, camera_id, subject_id, template_id, model_id, at, score)
    select ${orgId}, m.site_id, (${siteCameras}::uuid[])[1 + m.site_n * ${CAMERAS_PER_SITE} + g % ${CAMERAS_PER_SITE}],
           m.subject_id, m.template_id, 'fr_feature',
           ${expired ? tx`now() - interval '31 days' - (g % 369) * interval '1 day' - (g % 86400) * interval '1 second'` : tx`now() - (g % (29 * 86400)) * interval '1 second'`},
           0.8
    from generate_series(1, ${count}) g
    join bench_map m on m.n = ${expired ? tx`1 + g % ${TEMPLATES}` : tx`${EXPIRED_TEMPLATES + 1} + g % ${TEMPLATES - EXPIRED_TEMPLATES}`}`;
  // Foreign-key checks make up most of a bulk insert's time here (7x); the rows are consistent by
  // construction (joined from the rows they name), so a superuser skips them as pg_restore
  // --disable-triggers does. recognition_events has no other trigger.
  const [role] = await raw<{ super: boolean }[]>`select rolsuper as super from pg_roles where rolname = current_user`;
  const insertEvents = (count: number, expired: boolean) =>
    raw.begin(async (tx) => {
      if (role?.super) await tx`set local session_replication_role = replica`;
      await eventsInsert(tx, count, expired);
    });
  await insertEvents(EXPIRED_EVENTS, true);
  const [expiredRange] = await raw<{ max: string }[]>`select max(id)::text as max from recognition_events`;
  const lastExpiredEventId = expiredRange?.max as string;
  await insertEvents(EVENTS - EXPIRED_EVENTS, false);
  console.log(
    `seeded ${EVENTS.toLocaleString("en")} recognition events (${EXPIRED_EVENTS.toLocaleString("en")} expired) in ` +
      `${Math.round(performance.now() - eventsStart)} ms`,
  );

  // What expired, for the independent check; then the helper table goes (it names them too).
  const expired = await raw<{ template_id: string; photo_id: string; storage_key: string }[]>`
    select m.template_id, p.id as photo_id, p.storage_key from bench_map m
    join enrolment_photos p on p.template_id = m.template_id where m.expired`;
  await raw`drop table bench_map`;
  await raw`vacuum analyze`;
  console.log(`seed complete in ${Math.round(performance.now() - seedStart)} ms`);

  const tableCounts = async () => {
    const [row] = await raw<{ events: number; templates: number; photos: number }[]>`
      select (select count(*)::int from recognition_events) as events,
             (select count(*)::int from face_templates) as templates,
             (select count(*)::int from enrolment_photos) as photos`;
    return { events: row?.events ?? 0, templates: row?.templates ?? 0, photos: row?.photos ?? 0 };
  };
  const before = await tableCounts();

  // ── the reader: the fleet list as the Cameras page calls it ──
  const variants = [
    {},
    { status: "offline" as const },
    { search: "gate 7" },
    { sort: "lastSeen" as const, direction: "desc" as const },
    { sort: "site" as const, page: 7 },
    { frEnabled: true, sort: "status" as const },
  ];
  let call = 0;
  const listOnce = async () => {
    const i = call++;
    const input = cameraListFilter.parse({
      pageSize: 25,
      ...variants[i % variants.length],
      siteId: i % 7 === 0 ? siteIds[i % SITES] : undefined,
    });
    const start = performance.now();
    await listCameras({ db: reader.db, orgId, leases: unknownLeases }, input);
    return performance.now() - start;
  };
  const pause = () => new Promise((resolve) => setTimeout(resolve, READER_PAUSE_MS));
  for (let i = 0; i < 30; i++) await listOnce(); // warm-up
  const idle: number[] = [];
  for (const idleUntil = performance.now() + IDLE_MS; performance.now() < idleUntil; await pause()) {
    idle.push(await listOnce());
  }
  const idleP95 = percentile(idle, 95);
  console.log(
    `fleet list at rest (${idle.length} calls in ${IDLE_MS / 1000} s): p50 ${ms(percentile(idle, 50))} ms, p95 ${ms(idleP95)} ms, max ${ms(percentile(idle, 100))} ms`,
  );

  // ── one retention run, the reader going the whole time ──
  let purging = true;
  const during: number[] = [];
  const readerLoop = (async () => {
    while (purging) {
      during.push(await listOnce());
      await pause();
    }
  })();
  const purgeStart = performance.now();
  // Where the run's time goes: per kind, its batches and the slowest one.
  const phases = new Map<string, { batches: number; rows: number; ms: number; maxMs: number }>();
  let batchStart = purgeStart;
  const afterBatch = (kind: string, deleted: number) => {
    const now = performance.now();
    const phase = phases.get(kind) ?? { batches: 0, rows: 0, ms: 0, maxMs: 0 };
    phase.batches++;
    phase.rows += deleted;
    phase.ms += now - batchStart;
    phase.maxMs = Math.max(phase.maxMs, now - batchStart);
    phases.set(kind, phase);
    batchStart = now;
  };
  const run = await runRetention({ db, storage, afterBatch }).finally(() => {
    purging = false;
  });
  const purgeMs = performance.now() - purgeStart;
  await readerLoop;
  const duringP95 = percentile(during, 95);
  const ratio = idleP95 > 0 ? duringP95 / idleP95 : 0;
  const totals = totalsOf(run.counts);
  console.log(`retention run ${run.runId}: ${Math.round(purgeMs)} ms; its own counts ${JSON.stringify(totals)}`);
  for (const [kind, phase] of phases) {
    console.log(
      `  ${kind}: ${phase.rows} in ${phase.batches} batches, ${Math.round(phase.ms)} ms (slowest batch ${Math.round(phase.maxMs)} ms)`,
    );
  }
  console.log(
    `fleet list during the run (${during.length} calls): p50 ${ms(percentile(during, 50))} ms, p95 ${ms(duringP95)} ms, ` +
      `max ${ms(percentile(during, 100))} ms; p95 ratio ${ratio.toFixed(2)} (target < ${TARGETS.reader_p95_ratio})`,
  );

  // ── what is left: counted apart from the job ──
  const after = await tableCounts();
  const purgedRows =
    before.events - after.events + (before.templates - after.templates) + (before.photos - after.photos);
  const [left] = await raw<{ events: number }[]>`
    select count(*)::int as events from recognition_events where id <= ${lastExpiredEventId}::bigint`;
  const needles: Needle[] = expired.flatMap((row) => [
    { kind: "template" as const, value: row.template_id },
    { kind: "photo" as const, value: row.photo_id },
    { kind: "photoFile" as const, value: row.storage_key },
  ]);
  const checkStart = performance.now();
  const check = await independentCheck({ sql: raw, needles, allowed: RETENTION_ALLOWED, storageRoot: storageDir });
  console.log(
    `independent check (${Math.round(performance.now() - checkStart)} ms): ${left?.events ?? 0} expired events, ` +
      `${check.rows} rows (${JSON.stringify(check.byTable)}) and ${check.files} files naming expired templates or photos; ` +
      `searched ${check.columnsSearched} columns and ${check.filesSearched} files`,
  );
  for (const line of describeFindings(check, 10)) console.log(`  ${line}`);
  const keptFiles = check.filesSearched;
  const kept = {
    events: after.events === EVENTS - EXPIRED_EVENTS,
    templates: after.templates === TEMPLATES - EXPIRED_TEMPLATES,
    photos: after.photos === TEMPLATES - EXPIRED_TEMPLATES,
    files: keptFiles === TEMPLATES - EXPIRED_TEMPLATES,
  };
  const keptOk = Object.values(kept).every(Boolean);
  console.log(
    `kept: ${after.events} events, ${after.templates} templates, ${after.photos} photos, ${keptFiles} files ` +
      `${keptOk ? "(all that had not expired)" : `NOT AS SEEDED ${JSON.stringify(kept)}`}`,
  );
  const residualRows = (left?.events ?? 0) + check.rows;
  console.log(
    `purge ${Math.round(purgeMs)} ms (target < ${TARGETS.purge_ms}), purged ${purgedRows} rows, residual ${residualRows} rows ` +
      `and ${check.files} files (target 0), reader p95 ratio ${ratio.toFixed(2)} (target < ${TARGETS.reader_p95_ratio})`,
  );

  console.log(
    JSON.stringify({
      purge_ms: Math.round(purgeMs),
      purged_rows: purgedRows,
      residual_rows: residualRows,
      reader_p95_ratio: Number(ratio.toFixed(2)),
      residual_files: check.files,
      reader_idle_p95_ms: ms(idleP95),
      reader_purge_p95_ms: ms(duringP95),
      reader_calls_during: during.length,
      phases_ms: Object.fromEntries([...phases].map(([kind, phase]) => [kind, Math.round(phase.ms)])),
      kept_ok: keptOk,
      job_counts: totals,
      scale: SCALE,
      targets: TARGETS,
    }),
  );
} finally {
  await reader.close();
  await raw.end({ timeout: 5 });
  await database.drop();
  rmSync(storageDir, { recursive: true, force: true });
  await svc.stop();
}
