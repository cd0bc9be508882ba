import { evaluateOrganization, type Finding, type Target, type TargetType } from "@consentry/compliance";
import { and, desc, type Executor, eq, gt, max, type SQL, schema, sql } from "@consentry/db";
import { loadOrganizationFacts } from "./facts";

const { complianceSnapshots, auditLog, organizations, sites } = schema;
const DAY = 86_400_000;

/** Targets that are a person or theirs: a snapshot keeps their type and pseudonym label, never their id. */
export const PERSON_TARGET_TYPES = ["subject", "template", "request"] as const satisfies readonly TargetType[];
const PERSON_TARGETS = new Set<TargetType>(PERSON_TARGET_TYPES);
export const isPersonTarget = (target: Pick<Target, "type">) => PERSON_TARGETS.has(target.type);

/**
 * A finding as a snapshot holds it. Snapshots outlive erasures and are history, never a way back
 * to a person: the live evaluation links findings to targets, snapshots only count and show them.
 */
export type SnapshotFinding = Omit<Finding, "target"> & { target: Omit<Target, "id"> & { id?: string } };

export function snapshotFinding(finding: Finding): SnapshotFinding {
  if (!isPersonTarget(finding.target)) return finding;
  // The person's id goes too: a template target names its person for the live page's link.
  const { id: _id, subjectId: _subjectId, ...target } = finding.target;
  return { ...finding, target };
}

/** jsonpath over a snapshot's findings: a person target that still carries an id (written before ids were dropped). */
const PERSON_ID_PATH = `$[*].target ? ((${PERSON_TARGET_TYPES.map((type) => `@.type == "${type}"`).join(" || ")}) && exists(@.id))`;

/** SQL boolean: the snapshot findings `column` name a person target by id. */
export const namesPersonById = (column: SQL) => sql`jsonb_path_exists(${column}, ${PERSON_ID_PATH}::jsonpath)`;

/**
 * Drops the ids of person targets from the snapshots matching `where` (alias `cs`), written
 * before snapshots dropped them; the findings keep their type, label, text and order. Returns
 * how many snapshots changed.
 */
export async function dropPersonIdsFromSnapshots(db: Executor, where: SQL) {
  const types = sql.join(
    PERSON_TARGET_TYPES.map((type) => sql`${type}`),
    sql`, `,
  );
  const changed = await db.execute<{ id: string }>(sql`
    update compliance_snapshots cs set findings = (
      select coalesce(jsonb_agg(case when f->'target'->>'type' in (${types})
          then jsonb_set(f, '{target}', (f->'target') - 'id') else f end order by n), '[]'::jsonb)
      from jsonb_array_elements(cs.findings) with ordinality as e(f, n))
    where ${where} and ${namesPersonById(sql`cs.findings`)}
    returning cs.id`);
  return changed.length;
}

/** Evaluates an organisation and stores one snapshot per site, so regulators and charts see trends. */
export async function storeComplianceSnapshots(db: Executor, orgId: string, now = new Date()) {
  const [latest] = await db
    .select({ id: max(auditLog.id) })
    .from(auditLog)
    .where(eq(auditLog.orgId, orgId));
  const evaluation = evaluateOrganization(await loadOrganizationFacts(db, orgId, { now }));
  if (evaluation.sites.length === 0) return 0;
  // Each snapshot keeps the region its site is in now, so a later move leaves it where it was.
  const siteRegions = await db
    .select({ id: sites.id, regionCode: sites.regionCode })
    .from(sites)
    .where(eq(sites.orgId, orgId));
  const regions = new Map(siteRegions.map((site) => [site.id, site.regionCode]));
  const regionOf = (siteId: string) => {
    const region = regions.get(siteId);
    if (!region) throw new Error(`site ${siteId} was evaluated but not found`);
    return region;
  };
  await db.insert(complianceSnapshots).values(
    evaluation.sites.map((site) => ({
      orgId,
      siteId: site.siteId,
      regionCode: regionOf(site.siteId),
      at: now,
      score: site.score,
      coverage: site.coverage,
      findings: site.findings.map(snapshotFinding),
      auditLogId: latest?.id ?? null,
    })),
  );
  await addToDailyRegions(db, sql`cs.org_id = ${orgId} and cs.at = ${now.toISOString()}::timestamptz`);
  return evaluation.sites.length;
}

/**
 * Snapshots every organisation whose facts changed since its last snapshot (every change is
 * audited, so a newer audit entry means changed facts), and any whose last one is a day old.
 */
export async function snapshotChangedOrganizations(db: Executor, now = new Date()) {
  const orgs = await db.select({ id: organizations.id }).from(organizations);
  let stored = 0;
  for (const { id } of orgs) {
    const [last] = await db
      .select({ at: complianceSnapshots.at, auditLogId: complianceSnapshots.auditLogId })
      .from(complianceSnapshots)
      .where(eq(complianceSnapshots.orgId, id))
      .orderBy(desc(complianceSnapshots.at))
      .limit(1);
    const stale = !last || now.getTime() - last.at.getTime() >= DAY;
    const [changed] = last
      ? await db
          .select({ id: auditLog.id })
          .from(auditLog)
          .where(and(eq(auditLog.orgId, id), gt(auditLog.id, last.auditLogId ?? 0)))
          .limit(1)
      : [];
    if (stale || changed) stored += await storeComplianceSnapshots(db, id, now);
  }
  return stored;
}

/**
 * Adds the snapshots matching `where` (alias `cs`) to the per-region daily sums that regulators'
 * trends read, under each snapshot's own region (not the site's region now). Call once per batch
 * of new snapshots: the sums only grow.
 */
export async function addToDailyRegions(db: Executor, where: SQL) {
  const coverage = (key: string) =>
    sql.raw(`coalesce(sum((cs.coverage->>'${key}')::real), 0), count(cs.coverage->>'${key}')`);
  await db.execute(sql`
    insert into compliance_daily_regions as d (region_code, day, snapshots, score_sum, signage_sum, signage_count,
      consent_sum, consent_count, alternatives_sum, alternatives_count)
    select cs.region_code, (cs.at at time zone 'Asia/Shanghai')::date, count(*), sum(cs.score),
      ${coverage("signage")}, ${coverage("consent")}, ${coverage("alternatives")}
    from compliance_snapshots cs
    where ${where}
    group by 1, 2
    on conflict (region_code, day) do update set
      snapshots = d.snapshots + excluded.snapshots, score_sum = d.score_sum + excluded.score_sum,
      signage_sum = d.signage_sum + excluded.signage_sum, signage_count = d.signage_count + excluded.signage_count,
      consent_sum = d.consent_sum + excluded.consent_sum, consent_count = d.consent_count + excluded.consent_count,
      alternatives_sum = d.alternatives_sum + excluded.alternatives_sum,
      alternatives_count = d.alternatives_count + excluded.alternatives_count`);
}
