// `npm run bench:compliance`: an organisation of 500 sites, 10,000 cameras and 100,000 people
// with consents and templates in a private database, about 1 % of them with something a rule
// reports; times loading the facts from PostgreSQL and evaluating them, for the whole
// organisation and for one site, as the app does (settled people counted, not listed) and with
// every person's rows listed (the straightforward way, to compare; both must find the same).
// Last line: a JSON summary with `org_eval_ms`.

import { isDeepStrictEqual } from "node:util";
import { evaluateOrganization, evaluateSite } from "@consentry/compliance";
import { loadOrganizationFacts } from "@consentry/core/compliance";
import { schema, sql } from "@consentry/db";
import { createTestDatabase } from "@consentry/db/testing";
import { services } from "./lib/run";

const SITES = 500;
const CAMERAS = 10_000;
const SUBJECTS = 100_000;
const RUNS = 5;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function timed<T>(work: () => Promise<T> | T): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

const svc = await services({
  databaseUrl: "postgres://postgres@127.0.0.1:5432/consentry_bench",
  redisUrl: "redis://127.0.0.1:6379",
});
process.env.DATABASE_URL = svc.databaseUrl;
const database = await createTestDatabase(svc.databaseUrl);
const { db } = database;

try {
  const seedStart = performance.now();
  const [org] = await db.insert(schema.organizations).values({ name: "Bench Org", slug: "bench" }).returning();
  const orgId = org?.id as string;
  const sites = await db
    .insert(schema.sites)
    .values(
      Array.from({ length: SITES }, (_, i) => ({
        orgId,
        code: `S-C${String(i).padStart(5, "0")}`,
        name: `Site ${i}`,
        address: `${i} Road`,
        regionCode: "310101",
        kind: "residential" as const,
      })),
    )
    .returning({ id: schema.sites.id });
  const siteIds = sites.map((site) => site.id);
  const entries = await db
    .insert(schema.entryPoints)
    .values(
      siteIds.map((siteId, i) => ({
        orgId,
        siteId,
        name: "Gate",
        purpose: "entry_verification" as const,
        necessityNote: "Residents only",
        faceRecognition: true,
        alternatives: i % 10 === 0 ? [] : (["key_card"] as "key_card"[]),
      })),
    )
    .returning({ id: schema.entryPoints.id, siteId: schema.entryPoints.siteId });
  for (let offset = 0; offset < CAMERAS; offset += 2000) {
    await db.insert(schema.cameras).values(
      Array.from({ length: 2000 }, (_, j) => {
        const i = offset + j;
        return {
          orgId,
          siteId: siteIds[i % SITES] as string,
          entryPointId: i % 4 === 0 ? entries[i % SITES]?.id : null,
          name: `Cam ${i}`,
          rtspUrlEnc: "v1.bench",
          rtspUrlMasked: "rtsp://10.0.0.1/x",
          locationType: "entrance" as const,
          frEnabled: i % 4 === 0,
        };
      }),
    );
  }
  await db.insert(schema.assessments).values(
    siteIds.map((siteId) => ({
      orgId,
      siteId,
      scope: "All",
      approver: "DPO",
      documentSha256: "a".repeat(64),
      completedAt: new Date(),
    })),
  );
  await db.insert(schema.notices).values(
    siteIds.map((siteId) => ({
      orgId,
      siteId,
      version: 1,
      controller: "Bench",
      purpose: "Entry",
      method: "Match",
      retention: "1y",
      rights: "All",
      contact: "p@x.cn",
    })),
  );
  // People, consents and templates in bulk with SQL: 100,000 of each.
  await db.execute(sql`
    insert into subjects (org_id, pseudonym, is_minor)
    select ${orgId}, 'P-' || g, g % 500 = 0 from generate_series(1, ${SUBJECTS}) g`);
  await db.execute(sql`
    insert into consents (org_id, subject_id, site_id, purpose, scopes, method, given_at, guardian_consent_at)
    select s.org_id, s.id, (${sql.raw(`array[${siteIds.map((id) => `'${id}'::uuid`).join(",")}]`)})[1 + (row_number() over () % ${SITES})],
           'entry_verification', '{recognition,transfer}', 'written', now() - interval '30 days',
           case when s.is_minor then now() - interval '30 days' end
    from subjects s where s.org_id = ${orgId}`);
  // Every consent saw its site's notice (CN-FR-03).
  await db.execute(
    sql`update consents c set notice_id = n.id from notices n where n.site_id = c.site_id and c.org_id = ${orgId}`,
  );
  await db.execute(sql`
    insert into face_templates (org_id, subject_id, site_id, consent_id, model_id, model_version, embedding_enc, storage)
    select c.org_id, c.subject_id, c.site_id, c.id, 'fr_feature', '1', 'v1.bench', 'central' from consents c where c.org_id = ${orgId}`);
  // What goes wrong among that many people: consents without their notice version (CN-FR-03),
  // central templates without transfer consent (CN-FR-06), templates kept after a withdrawal (CN-PI-03).
  await db.execute(sql`
    update consents set notice_id = null
    where org_id = ${orgId} and subject_id in (select id from subjects where org_id = ${orgId} and pseudonym like '%37')`);
  await db.execute(sql`
    update consents set scopes = '{recognition}'
    where org_id = ${orgId} and subject_id in (select id from subjects where org_id = ${orgId} and pseudonym like '%412')`);
  await db.execute(sql`
    update consents set withdrawn_at = now() - interval '90 days'
    where org_id = ${orgId} and subject_id in (select id from subjects where org_id = ${orgId} and pseudonym like '%599')`);
  // A running installation's retention job: its last run completed minutes ago.
  await db.insert(schema.retentionRuns).values({
    status: "completed",
    startedAt: new Date(Date.now() - 11 * 60_000),
    finishedAt: new Date(Date.now() - 10 * 60_000),
    heartbeatAt: new Date(Date.now() - 10 * 60_000),
  });
  await db.execute(sql`analyze`);
  console.log(
    `seeded ${SITES} sites, ${CAMERAS} cameras, ${SUBJECTS} people with consents and templates in ${Math.round(performance.now() - seedStart)} ms`,
  );

  /** Load and evaluate the organisation, then one site, RUNS times; medians. */
  const measure = async (everyone: boolean) => {
    const loads: number[] = [];
    const engines: number[] = [];
    const totals: number[] = [];
    const siteTotals: number[] = [];
    let evaluation: ReturnType<typeof evaluateOrganization> | undefined;
    for (let run = 0; run < RUNS; run++) {
      const now = new Date();
      const [facts, loadMs] = await timed(() => loadOrganizationFacts(db, orgId, { now, everyone }));
      const [result, engineMs] = await timed(() => evaluateOrganization(facts));
      evaluation = result;
      loads.push(loadMs);
      engines.push(engineMs);
      totals.push(loadMs + engineMs);
      const siteId = siteIds[(run * 97) % SITES] as string;
      const [, siteMs] = await timed(async () => {
        const siteFacts = await loadOrganizationFacts(db, orgId, { siteId, everyone });
        return evaluateSite(siteFacts.sites[0] as NonNullable<(typeof siteFacts.sites)[0]>, siteFacts);
      });
      siteTotals.push(siteMs);
      console.log(
        `${everyone ? "every row" : "summarised"}, run ${run + 1}: organisation load ${Math.round(loadMs)} ms + evaluate ${Math.round(engineMs)} ms; one site (load + evaluate) ${siteMs.toFixed(1)} ms`,
      );
    }
    return {
      total: median(totals),
      load: median(loads),
      engine: median(engines),
      site: median(siteTotals),
      evaluation: evaluation as ReturnType<typeof evaluateOrganization>,
    };
  };
  const summarised = await measure(false);
  const everyRow = await measure(true);
  const count = (evaluation: ReturnType<typeof evaluateOrganization>) =>
    evaluation.sites.reduce((sum, site) => sum + site.findings.length, 0) + evaluation.findings.length;
  // Evaluated a moment apart, so compare what does not move with the clock.
  const comparable = ({ sites, findings, filing }: ReturnType<typeof evaluateOrganization>) => ({
    sites,
    findings,
    people: filing.subjectsWithTemplates,
  });
  const same = isDeepStrictEqual(comparable(summarised.evaluation), comparable(everyRow.evaluation));
  console.log(
    `organisation findings: ${count(summarised.evaluation)} summarised, ${count(everyRow.evaluation)} from every row (${same ? "the same" : "DIFFERENT"})`,
  );
  if (!same) throw new Error("the summarised facts found other findings than every row");
  console.log(
    JSON.stringify({
      org_eval_ms: Math.round(summarised.total),
      org_load_ms: Math.round(summarised.load),
      org_engine_ms: Math.round(summarised.engine),
      site_eval_ms: Number(summarised.site.toFixed(1)),
      org_eval_every_row_ms: Math.round(everyRow.total),
      site_eval_every_row_ms: Number(everyRow.site.toFixed(1)),
      findings: count(summarised.evaluation),
      runs: RUNS,
      sites: SITES,
      cameras: CAMERAS,
      subjects: SUBJECTS,
    }),
  );
} finally {
  await database.drop();
  await svc.stop();
}
