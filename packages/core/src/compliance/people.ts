// The people half of the facts: consents, templates and pseudonyms. An organisation of 100,000
// people has 300,000 such rows, and loading them takes longer than the rules. Most people are
// settled: nothing any rule checks about them can be wrong. `loadPeople` finds in SQL the
// (site, person) pairs that are not, loads only their rows (and the rows those rows point to),
// and counts the rest, which the engine takes as `settledTemplates` and `subjectsWithTemplates`.
// Findings are the same as from every row; settled.test.ts compares the two on a world with
// every kind of violation, under every profile.
import { calendarDayKey, missingNoticeFields, type NoticeFacts, SHANGHAI, type SiteFacts } from "@consentry/compliance";
import { and, eq, type SQL, schema, sql } from "@consentry/db";
import { bySite, epochMs, type FactScope, inScope, jsonRows, uuidArray } from "./fact-sql";

const s = schema;
const DAY_MS = 86_400_000;

export type ConsentRow = {
  id: string;
  siteId: string;
  subjectId: string;
  purpose: SiteFacts["consents"][number]["purpose"];
  scopes: SiteFacts["consents"][number]["scopes"];
  isSeparate: boolean;
  isBundled: boolean;
  noticeId: string | null;
  guardianConsentAt: number | null;
  givenAt: number;
  withdrawnAt: number | null;
};
export type TemplateRow = {
  id: string;
  siteId: string;
  subjectId: string;
  consentId: string | null;
  storage: SiteFacts["templates"][number]["storage"];
  encrypted: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  deletionQueuedAt: number | null;
};
export type SubjectRow = SiteFacts["subjects"][number];

export type PeopleRows = {
  consents: ConsentRow[];
  templates: TemplateRow[];
  subjects: SubjectRow[];
  /** Per site, the templates of settled people (not in `templates`); empty when every row is loaded. */
  settledTemplates: Map<string, number>;
  /** Distinct people with a template at the scope's open sites; undefined when every row is loaded. */
  subjectsWithTemplates: number | undefined;
};

function loadConsents(scope: FactScope, only?: SQL) {
  const c = s.consents;
  return jsonRows<ConsentRow>(
    scope.db,
    sql`select ${c.id} as "id", ${c.siteId} as "siteId", ${c.subjectId} as "subjectId", ${c.purpose} as "purpose",
          ${c.scopes} as "scopes", ${c.isSeparate} as "isSeparate", ${c.isBundled} as "isBundled",
          ${c.noticeId} as "noticeId", ${epochMs(c.guardianConsentAt)} as "guardianConsentAt",
          ${epochMs(c.givenAt)} as "givenAt", ${epochMs(c.withdrawnAt)} as "withdrawnAt"
        from ${c} where ${and(inScope(scope, c.orgId, c.siteId), only)}`,
  );
}

/**
 * Never the embedding itself: only whether it is stored encrypted. Templates marked for deletion
 * are loaded too, so a deletion job that never ran stays visible (CN-PI-03).
 */
function loadTemplates(scope: FactScope, only?: SQL) {
  const f = s.faceTemplates;
  return jsonRows<TemplateRow>(
    scope.db,
    sql`select ${f.id} as "id", ${f.siteId} as "siteId", ${f.subjectId} as "subjectId", ${f.consentId} as "consentId",
          ${f.storage} as "storage", ${f.embeddingEnc} like 'v1.%' as "encrypted",
          ${epochMs(f.createdAt)} as "createdAt", ${epochMs(f.lastUsedAt)} as "lastUsedAt",
          ${epochMs(f.deletionQueuedAt)} as "deletionQueuedAt"
        from ${f} where ${and(eq(f.orgId, scope.orgId), bySite(scope, f.siteId), only)}`,
  );
}

/**
 * The people, by pseudonym (never names or contacts): those `consentsAndTemplates` refer to, or
 * all of the organisation's. By subquery, not an id list: an organisation can hold more people
 * than a query has parameters.
 */
function loadSubjects({ db, orgId }: FactScope, consentsAndTemplates?: SQL) {
  const p = s.subjects;
  return jsonRows<SubjectRow>(
    db,
    sql`select ${p.id} as "id", ${p.pseudonym} as "pseudonym", ${p.isMinor} as "isMinor",
          ${p.birthYear} as "birthYear"
        from ${p} where ${and(eq(p.orgId, orgId), consentsAndTemplates && sql`${p.id} in (${consentsAndTemplates})`)}`,
  );
}

/** Every row, as the rules would read them without a summary. */
async function loadEveryone(scope: FactScope): Promise<PeopleRows> {
  const { siteId } = scope;
  const [consents, templates, subjects] = await Promise.all([
    loadConsents(scope),
    loadTemplates(scope),
    loadSubjects(
      scope,
      siteId
        ? sql`select subject_id from ${s.consents} where site_id = ${siteId}
              union select subject_id from ${s.faceTemplates} where site_id = ${siteId}`
        : undefined,
    ),
  ]);
  return { consents, templates, subjects, settledTemplates: new Map(), subjectsWithTemplates: undefined };
}

/**
 * What a settled pair must have, in SQL, as of `now`. Each condition is at least as strict as
 * the rule it stands for: a pair wrongly called unsettled only costs a few rows more.
 */
function settledTerms(now: Date, notices: readonly NoticeFacts[]) {
  // CN-FR-05 (mayBeUnder14): anyone born after this year may still be under 14 this year in Shanghai.
  const adultBornBy = Number(calendarDayKey(now, SHANGHAI).slice(0, 4)) - 15;
  // IL-15a: last activity within BIPA's 3 years, two days to spare (leap days, time zones).
  const threeYearsAgo = new Date(now);
  threeYearsAgo.setUTCFullYear(threeYearsAgo.getUTCFullYear() - 3);
  const activeSince = new Date(threeYearsAgo.getTime() + 2 * DAY_MS);
  // IL-15b wants a notice with purpose and retention (JavaScript's trim); a complete one is stricter.
  const completeNotices = notices.filter((notice) => missingNoticeFields(notice).length === 0).map((n) => n.id);
  return { adultBornBy, activeSince: activeSince.toISOString(), completeNotices: uuidArray(completeNotices) };
}

/**
 * The (site, person) pairs of the scope that some rule could report, or whose rows another
 * row's check reads. A pair is settled when
 * - each of its active consents records its notice version and is separate and unbundled
 *   (CN-FR-03, CN-FR-04/EU-09; withdrawn consents are judged only through what points to them);
 * - each of its templates is encrypted (CN-FR-14), not queued for deletion, and enrolled under a
 *   consent of the same person at the same site that is active, separate, unbundled and for
 *   recognition (CN-FR-04/EU-09, CN-PI-03/EU-17, coverage), given no later than the template with
 *   a complete notice of the site (IL-15b), with scope transfer if the template is central
 *   (CN-FR-06) and a guardian's consent unless the person is clearly 14 or over (CN-FR-05), and was
 *   used or made within BIPA's 3 years (IL-15a);
 * - none of its enrolment photos belongs to a withdrawn consent of the site (CN-PI-03/EU-17).
 */
async function unsettledPairs(scope: FactScope, notices: readonly NoticeFacts[]) {
  const { orgId, siteId } = scope;
  const { adultBornBy, activeSince, completeNotices } = settledTerms(scope.now, notices);
  const atSite = (column: SQL) => (siteId ? sql`and ${column} = ${siteId}` : sql``);
  // The linked consent and notice are joined on their ids alone and checked to be the person's and
  // the site's in the test: one hash key instead of three.
  return scope.db.execute<{ site_id: string; subject_id: string }>(sql`
    select f.site_id, f.subject_id from face_templates f
    left join consents c on c.id = f.consent_id
    left join notices n on n.id = c.notice_id
    where f.org_id = ${orgId} ${atSite(sql`f.site_id`)} and not coalesce(
      c.site_id = f.site_id and c.subject_id = f.subject_id and n.site_id = f.site_id
      and c.withdrawn_at is null and c.is_separate and not c.is_bundled
      and 'recognition' = any(c.scopes) and c.given_at <= f.created_at
      and n.id in (select unnest(${completeNotices})) -- a hashed set, not an array scanned per row
      and f.embedding_enc like 'v1.%' and f.deletion_queued_at is null
      and (f.storage = 'device' or 'transfer' = any(c.scopes))
      and coalesce(f.last_used_at, f.created_at) >= ${activeSince}::timestamptz
      and (c.guardian_consent_at is not null or f.subject_id not in (
        select id from subjects where org_id = ${orgId} and (is_minor or birth_year > ${adultBornBy}))),
      false)
    union
    select c.site_id, c.subject_id from consents c
    where c.org_id = ${orgId} ${atSite(sql`c.site_id`)} and c.withdrawn_at is null
      and (c.notice_id is null or not c.is_separate or c.is_bundled)
    union
    select e.site_id, e.subject_id from enrolments e
    join consents c on c.id = e.consent_id and c.site_id = e.site_id and c.withdrawn_at is not null
    where e.org_id = ${orgId} ${atSite(sql`e.site_id`)}
      and exists (select 1 from enrolment_photos p where p.enrolment_id = e.id)`);
}

/**
 * Templates per open site of the scope, and the distinct people holding them (CN-FR-15): two
 * queries, so they run beside the judging one.
 */
async function templateCounts(scope: FactScope) {
  const f = s.faceTemplates;
  const held = sql`${f} join ${s.sites} on ${s.sites.id} = ${f.siteId} and ${s.sites.orgId} = ${scope.orgId}
    and ${s.sites.archivedAt} is null where ${and(eq(f.orgId, scope.orgId), bySite(scope, f.siteId))}`;
  const [perSite, [people]] = await Promise.all([
    scope.db.execute<{ site_id: string; count: number }>(
      sql`select ${f.siteId} as site_id, count(*)::int as count from ${held} group by 1`,
    ),
    scope.db.execute<{ count: number }>(
      sql`select count(*)::int as count from (select ${f.subjectId} from ${held} group by 1) people`,
    ),
  ]);
  return { perSite: new Map(perSite.map((row) => [row.site_id, row.count])), people: people?.count ?? 0 };
}

/** The unsettled pairs' rows, the rows they point to, and counts of the rest. */
async function loadSummarised(scope: FactScope, notices: Promise<readonly NoticeFacts[]>): Promise<PeopleRows> {
  const counts = templateCounts(scope);
  counts.catch(() => {}); // awaited below; handled now in case the pairs fail first
  const pairs = await unsettledPairs(scope, await notices);
  // The pairs as a table: joined, not tested row by row.
  const pairsOf = (alias: string) => sql`join unnest(${uuidArray(pairs.map((pair) => pair.site_id))},
    ${uuidArray(pairs.map((pair) => pair.subject_id))}) as pairs(site_id, subject_id)
    on pairs.site_id = ${sql.raw(alias)}.site_id and pairs.subject_id = ${sql.raw(alias)}.subject_id`;
  const f = s.faceTemplates;
  const c = s.consents;
  const pairTemplates = sql`select f.id from face_templates f ${pairsOf("f")} where f.org_id = ${scope.orgId}`;
  // A pair's consents, and any consent that a loaded template names or a stored photo names once
  // withdrawn (another person's, in odd data): consentsById must find what the full facts would,
  // for the findings it leads to. Such a consent of a settled person adds nothing of its own.
  const consentIds = sql`
    select c.id from consents c ${pairsOf("c")} where c.org_id = ${scope.orgId}
    union select f.consent_id from face_templates f ${pairsOf("f")} where f.org_id = ${scope.orgId}
    union select e.consent_id from enrolments e
      join consents c on c.id = e.consent_id and c.withdrawn_at is not null
      where e.org_id = ${scope.orgId} and exists (select 1 from enrolment_photos p where p.enrolment_id = e.id)`;
  const [consents, templates, subjects] = await Promise.all([
    loadConsents(scope, sql`${c.id} in (${consentIds})`),
    loadTemplates(scope, sql`${f.id} in (${pairTemplates})`),
    loadSubjects(
      scope,
      sql`select subject_id from consents where id in (${consentIds})
          union select f.subject_id from face_templates f ${pairsOf("f")} where f.org_id = ${scope.orgId}`,
    ),
  ]);
  const { perSite, people } = await counts;
  const loaded = new Map<string, number>();
  for (const template of templates) loaded.set(template.siteId, (loaded.get(template.siteId) ?? 0) + 1);
  const settledTemplates = new Map<string, number>();
  for (const [site, count] of perSite) settledTemplates.set(site, count - (loaded.get(site) ?? 0));
  return { consents, templates, subjects, settledTemplates, subjectsWithTemplates: people };
}

/**
 * The people's rows of the scope: of unsettled pairs only, with the rest counted, or with
 * `everyone` every row (what the summary is checked against).
 */
export function loadPeople(
  scope: FactScope,
  notices: Promise<readonly NoticeFacts[]>,
  options: { everyone?: boolean } = {},
): Promise<PeopleRows> {
  return options.everyone ? loadEveryone(scope) : loadSummarised(scope, notices);
}
