// `npm run bench:regulator`: a jurisdiction of 50 organisations, 2,000 sites and 40,000 cameras
// with a year of daily compliance snapshots, in a private database. Prints p95 of the regulator
// console's data calls (overview, sites table, site page, 365-day trend) as a regulator calls
// them, and the time to build the jurisdiction's PDF report. Last line: a JSON summary with
// `p95_ms` (the worst of the calls) and `pdf_ms`.

import { callerFor, makePrincipal } from "@consentry/api/testing";
import { addToDailyRegions } from "@consentry/core/compliance";
import { buildRegulatorReport } from "@consentry/core/regulator";
import { sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { services } from "./lib/run";

const ORGS = 50;
const SITES = 2_000;
const CAMERAS = 40_000;
const DAYS = 365;
const RUNS = 20;

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
const database = await createTestDatabase(svc.databaseUrl);
const { db } = database;
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
  await db.execute(sql`
    insert into cameras (org_id, site_id, name, rtsp_url_enc, rtsp_url_masked, location_type, fr_enabled)
    select s.org_id, s.id, 'Cam ' || g, 'v1.bench', 'rtsp://10.0.0.1/x', 'entrance', g % 3 = 0
    from generate_series(1, ${CAMERAS}) g
    join (select id, org_id, row_number() over (order by code) as n from sites) s on s.n = 1 + g % ${SITES}`);
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
    from (select id, org_id, region_code, row_number() over (order by code) as n from sites) s
    cross join generate_series(0, ${DAYS - 1}) d`);
  await addToDailyRegions(db, sql`true`);
  await db.execute(sql`analyze`);
  console.log(
    `seeded ${ORGS} organisations, ${SITES} sites, ${CAMERAS} cameras, ${SITES * DAYS} snapshots in ${Math.round(performance.now() - seedStart)} ms`,
  );

  const regulator = callerFor(db, await makePrincipal(db, { jurisdictionCodes: ["310000"] }));
  const [worst] = await regulator.regulator.sites();
  const calls = {
    overview: () => regulator.regulator.overview(),
    sites: () => regulator.regulator.sites(),
    site: () => regulator.regulator.site({ siteId: worst?.siteId ?? "" }),
    trend_365: () => regulator.regulator.trend({ days: 365 }),
  };
  const p95: Record<string, number> = {};
  for (const [name, call] of Object.entries(calls)) {
    const times: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const start = performance.now();
      await call();
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    p95[name] = Number((times[Math.ceil(0.95 * times.length) - 1] ?? 0).toFixed(1));
    console.log(`${name}: p50 ${times[Math.floor(times.length / 2)]?.toFixed(1)} ms, p95 ${p95[name]} ms`);
  }
  const pdfTimes: number[] = [];
  let pdfBytes = 0;
  for (let run = 0; run < 3; run++) {
    const start = performance.now();
    pdfBytes = (await buildRegulatorReport(regulator.regulator, { kind: "jurisdiction" })).pdf.length;
    pdfTimes.push(performance.now() - start);
  }
  const pdfMs = Math.round(Math.max(...pdfTimes));
  console.log(`jurisdiction PDF (${SITES} sites, ${Math.round(pdfBytes / 1024)} KB): ${pdfMs} ms (worst of 3)`);
  console.log(
    JSON.stringify({
      p95_ms: Math.max(...Object.values(p95)),
      ...Object.fromEntries(Object.entries(p95).map(([name, ms]) => [`${name}_p95_ms`, ms])),
      pdf_ms: pdfMs,
      sites: SITES,
      cameras: CAMERAS,
      snapshots: SITES * DAYS,
    }),
  );
} finally {
  await database.drop();
}
process.exit(0);
