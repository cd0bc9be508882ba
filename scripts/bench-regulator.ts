// `npm run bench:regulator`: a jurisdiction of 50 organisations, 2,000 sites and 40,000 cameras
// with a year of daily compliance snapshots, 100,000 people with consents and templates, 20,000
// requests from a year of the portal and 10,000 live views in the video-access register, in a
// private database. A regulator signs in to the real web app (its production build) and calls the
// console's data over HTTP as the browser does: overview, sites table, a site page (a different
// site each call), the 365-day trend of the jurisdiction and of one site; then the jurisdiction's
// PDF report from its HTTP route. Needs `npm run build`. Last line: a JSON summary with `p95_ms`
// (the worst of the calls) and `pdf_ms`.

import { addToDailyRegions } from "@consentry/core/compliance";
import { createUserWithPassword, schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { services } from "./lib/run";
import { BENCH_PASSWORD, percentile, signIn, startWebApp, timed, trpcQuery } from "./lib/web-app";

const ORGS = 50;
const SITES = 2_000;
const CAMERAS = 40_000;
const PEOPLE = 100_000;
const REQUESTS = 20_000;
const LIVE_VIEWS = 10_000;
const DAYS = 365;
const RUNS = 20;
const PDF_RUNS = 3;

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
const database = await createTestDatabase(svc.databaseUrl);
const { db } = database;
let stopWeb = () => {};
try {
  const seedStart = performance.now();
  await db.execute(sql`
    insert into organizations (name, slug)
    select 'Bench Org ' || g, 'bench-org-' || g from generate_series(1, ${ORGS}) g`);
  // Districts of Shanghai (310101…310120) under the jurisdiction 310000.
  await db.execute(sql`
    insert into sites (org_id, code, name, address, region_code, kind)
    select o.id, 'S-B' || lpad(g::text, 5, '0'), 'Bench Site ' || g, g || ' Road',
           '3101' || lpad((1 + g % 20)::text, 2, '0'), 'residential'
    from generate_series(1, ${SITES}) g
    join (select id, row_number() over (order by name) as n from organizations) o on o.n = 1 + g % ${ORGS}`);
  const numberedSites = sql`(select id, org_id, region_code, row_number() over (order by code) as n from sites)`;
  await db.execute(sql`
    insert into cameras (org_id, site_id, name, rtsp_url_enc, rtsp_url_masked, location_type, fr_enabled)
    select s.org_id, s.id, 'Cam ' || g, 'v1.bench', 'rtsp://10.0.0.1/x', 'entrance', g % 3 = 0
    from generate_series(1, ${CAMERAS}) g
    join ${numberedSites} s on s.n = 1 + g % ${SITES}`);
  await db.execute(sql`
    insert into compliance_snapshots (org_id, site_id, region_code, at, score, coverage, findings)
    select s.org_id, s.id, s.region_code, now() - (d || ' days')::interval, 40 + (d + s.n) % 60,
           jsonb_build_object('signage', ((d + s.n) % 100) / 100.0, 'consent', 0.9, 'alternatives', 0.8, 'requestsOnTime', 1),
           jsonb_build_array(
             jsonb_build_object('ruleId', 'CN-CAM-02', 'severity', 'high', 'code', 'CN-CAM-02.noSign', 'params', '{}'::jsonb,
               'target', jsonb_build_object('type', 'camera', 'id', s.id, 'label', 'Cam'),
               'message', 'No verified sign covers this camera.', 'remediation', 'Put up a sign.'),
             jsonb_build_object('ruleId', 'CN-FR-08', 'severity', case when s.n % 7 = 0 then 'critical' else 'medium' end,
               'code', 'CN-FR-08.noAssessment', 'params', '{}'::jsonb,
               'target', jsonb_build_object('type', 'site', 'id', s.id, 'label', 'Site'),
               'message', 'No impact assessment.', 'remediation', 'Record one.'))
    from ${numberedSites} s
    cross join generate_series(0, ${DAYS - 1}) d`);
  await addToDailyRegions(db, sql`true`);
  // People: 50 per site, each with a consent and a template (the overview counts them per organisation).
  await db.execute(sql`
    insert into subjects (org_id, pseudonym)
    select s.org_id, 'P-' || g from generate_series(1, ${PEOPLE}) g join ${numberedSites} s on s.n = 1 + g % ${SITES}`);
  await db.execute(sql`
    insert into consents (org_id, subject_id, site_id, purpose, scopes, method, given_at)
    select p.org_id, p.id, s.id, 'entry_verification', '{recognition}', 'written', now() - interval '200 days'
    from subjects p join ${numberedSites} s on s.n = 1 + substr(p.pseudonym, 3)::int % ${SITES}`);
  await db.execute(sql`
    insert into face_templates (org_id, subject_id, site_id, consent_id, model_id, model_version, embedding_enc, storage)
    select c.org_id, c.subject_id, c.site_id, c.id, 'fr_feature', '1', 'v1.bench', 'device' from consents c`);
  // A year of requests: mostly answered in time, some late, some open, some never verified.
  await db.execute(sql`
    insert into dsr_requests (org_id, site_id, type, reference_code, contact_hash, verified_at, submitted_at, due_at, status, closed_at)
    select s.org_id, s.id, (array['deletion','access','withdrawal','correction'])[1 + g % 4]::request_type,
           'R-B' || lpad(g::text, 7, '0'), md5(g::text),
           case when g % 10 <> 0 then now() - ((g % ${DAYS}) || ' days')::interval end,
           now() - ((g % ${DAYS}) || ' days')::interval,
           case when g % 10 <> 0 then now() - ((g % ${DAYS}) || ' days')::interval + interval '21 days' end,
           case when g % 10 = 0 then 'pending_verification' when g % 9 = 0 then 'open' else 'completed' end::request_status,
           case when g % 10 <> 0 and g % 9 <> 0
             then now() - ((g % ${DAYS}) || ' days')::interval + ((g % 30) || ' days')::interval end
    from generate_series(1, ${REQUESTS}) g join ${numberedSites} s on s.n = 1 + g % ${SITES}`);
  await db.execute(sql`
    insert into video_access (org_id, site_id, camera_id, camera_name, viewer_label, reason, ticket_id, requested_at, started_at, ended_at)
    select c.org_id, c.site_id, c.id, c.name, 'operator@bench.local',
           (array['security_incident','safety_check','maintenance'])[1 + g % 3]::video_access_reason, gen_random_uuid(),
           now() - ((g % 120) || ' days')::interval, now() - ((g % 120) || ' days')::interval,
           now() - ((g % 120) || ' days')::interval + interval '5 minutes'
    from generate_series(1, ${LIVE_VIEWS}) g
    join (select id, org_id, site_id, name, row_number() over (order by id) as n from cameras) c on c.n = 1 + (g * 7) % ${CAMERAS}`);
  const email = "bench-regulator@bench.local";
  const userId = await createUserWithPassword(db, { email, name: "Bench Regulator", password: BENCH_PASSWORD });
  await db
    .insert(schema.regulators)
    .values({ userId, authority: "Shanghai Cyberspace Office", jurisdictionCodes: ["310000"] });
  await db.execute(sql`analyze`);
  console.log(
    `seeded ${ORGS} organisations, ${SITES} sites, ${CAMERAS} cameras, ${SITES * DAYS} snapshots, ${PEOPLE} people, ` +
      `${REQUESTS} requests, ${LIVE_VIEWS} live views in ${Math.round(performance.now() - seedStart)} ms`,
  );

  const web = await startWebApp({ databaseUrl: database.url });
  stopWeb = web.stop;
  const cookie = await signIn(web.baseUrl, email, BENCH_PASSWORD);
  const query = trpcQuery(web.baseUrl, cookie);
  const siteIds = (await query<{ siteId: string }[]>("regulator.sites")).map((site) => site.siteId);
  if (siteIds.length !== SITES) throw new Error(`the regulator sees ${siteIds.length} sites, not ${SITES}`);
  // A different site for each call, spread over the list.
  const someSite = (run: number) => siteIds[(run * 101) % siteIds.length] as string;
  const calls: Record<string, (run: number) => Promise<unknown>> = {
    overview: () => query("regulator.overview"),
    sites: () => query("regulator.sites"),
    site: (run) => query("regulator.site", { siteId: someSite(run) }),
    trend_365: () => query("regulator.trend", { days: 365 }),
    site_trend_365: (run) => query("regulator.trend", { days: 365, siteId: someSite(run + RUNS) }),
  };
  const p95: Record<string, number> = {};
  for (const [name, call] of Object.entries(calls)) {
    await call(RUNS * 2); // warm-up
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) times.push(await timed(() => call(run)));
    p95[name] = Number(percentile(times, 95).toFixed(1));
    console.log(`${name} (HTTP, ${RUNS} calls): p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95[name]} ms`);
  }

  const pdfTimes: number[] = [];
  let pdfBytes = 0;
  for (let run = 0; run < PDF_RUNS; run++) {
    pdfTimes.push(
      await timed(async () => {
        const response = await fetch(`${web.baseUrl}/api/regulator/report?scope=jurisdiction&locale=en`, {
          headers: { cookie },
        });
        if (!response.ok) throw new Error(`the jurisdiction report failed: ${response.status}`);
        pdfBytes = (await response.arrayBuffer()).byteLength;
      }),
    );
  }
  const pdfMs = Math.round(Math.max(...pdfTimes));
  console.log(
    `jurisdiction PDF over HTTP (${SITES} sites, ${Math.round(pdfBytes / 1024)} KB): ${pdfMs} ms (worst of ${PDF_RUNS})`,
  );
  console.log(
    JSON.stringify({
      p95_ms: Math.max(...Object.values(p95)),
      ...Object.fromEntries(Object.entries(p95).map(([name, ms]) => [`${name}_p95_ms`, ms])),
      pdf_ms: pdfMs,
      calls: RUNS,
      sites: SITES,
      cameras: CAMERAS,
      snapshots: SITES * DAYS,
      people: PEOPLE,
      requests: REQUESTS,
      live_views: LIVE_VIEWS,
    }),
  );
} finally {
  stopWeb();
  await database.drop();
  await svc.stop();
}
process.exit(0);
