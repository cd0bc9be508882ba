// The queries behind `loadOrganizationFacts`: one loader per entity, all started at once.
import { RETENTION_OVERDUE_MS, type RetentionCounts, retentionJobState, type SiteFacts } from "@consentry/compliance";
import { and, desc, type Executor, eq, inArray, isNull, type SQL, schema, sql } from "@consentry/db";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { lastRetentionRun, retentionDue } from "../retention/run";

const s = schema;

/** Whose rows to load: an organisation's, narrowed to one of its sites when `siteId` is given, as of `now`. */
export type FactScope = { db: Executor; orgId: string; siteId?: string; now: Date };

/** With a site given, every query narrows to it; without, the whole organisation. */
const bySite = ({ siteId }: FactScope, column: AnyPgColumn) => (siteId ? eq(column, siteId) : undefined);
const inScope = (scope: FactScope, orgColumn: AnyPgColumn, siteColumn: AnyPgColumn) =>
  and(eq(orgColumn, scope.orgId), bySite(scope, siteColumn));

/**
 * The rows of a large query as one JSON array: PostgreSQL builds it and V8's JSON.parse reads
 * it, several times faster than decoding a hundred thousand rows one by one. Column aliases
 * give the keys; timestamps are selected as epoch milliseconds (see `epochMs`).
 */
async function jsonRows<T>(db: Executor, query: SQL): Promise<T[]> {
  const [row] = await db.execute<{ rows: T[] }>(
    sql`select coalesce(json_agg(t), '[]'::json) as rows from (${query}) t`,
  );
  return row?.rows ?? [];
}
const epochMs = (column: AnyPgColumn) => sql`(extract(epoch from ${column}) * 1000)::float8`;

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

async function loadOrganization({ db, orgId }: FactScope) {
  const [org] = await db.select().from(s.organizations).where(eq(s.organizations.id, orgId));
  return org;
}

async function loadSites(scope: FactScope) {
  const where: SQL[] = [eq(s.sites.orgId, scope.orgId), isNull(s.sites.archivedAt)];
  if (scope.siteId) where.push(eq(s.sites.id, scope.siteId));
  return scope.db
    .select()
    .from(s.sites)
    .where(and(...where));
}

async function loadCameras(scope: FactScope) {
  return scope.db
    .select()
    .from(s.cameras)
    .where(inScope(scope, s.cameras.orgId, s.cameras.siteId));
}

async function loadEntryPoints(scope: FactScope) {
  return scope.db
    .select()
    .from(s.entryPoints)
    .where(inScope(scope, s.entryPoints.orgId, s.entryPoints.siteId));
}

/** The signs, and (in parallel) the cameras and entry points each one covers. */
async function loadSigns(scope: FactScope) {
  const { db } = scope;
  const where = inScope(scope, s.signs.orgId, s.signs.siteId);
  const ofSigns = db.select({ id: s.signs.id }).from(s.signs).where(where);
  const [signs, cameraLinks, entryPointLinks] = await Promise.all([
    db.select().from(s.signs).where(where),
    db.select().from(s.signCameras).where(inArray(s.signCameras.signId, ofSigns)),
    db.select().from(s.signEntryPoints).where(inArray(s.signEntryPoints.signId, ofSigns)),
  ]);
  return { signs, cameraLinks, entryPointLinks };
}

async function loadNotices(scope: FactScope) {
  return scope.db
    .select()
    .from(s.notices)
    .where(inScope(scope, s.notices.orgId, s.notices.siteId));
}

function loadConsents(scope: FactScope) {
  const c = s.consents;
  return jsonRows<ConsentRow>(
    scope.db,
    sql`select ${c.id} as "id", ${c.siteId} as "siteId", ${c.subjectId} as "subjectId", ${c.purpose} as "purpose",
          ${c.scopes} as "scopes", ${c.isSeparate} as "isSeparate", ${c.isBundled} as "isBundled",
          ${c.noticeId} as "noticeId", ${epochMs(c.guardianConsentAt)} as "guardianConsentAt",
          ${epochMs(c.givenAt)} as "givenAt", ${epochMs(c.withdrawnAt)} as "withdrawnAt"
        from ${c} where ${inScope(scope, c.orgId, c.siteId)}`,
  );
}

/**
 * Never the embedding itself: only whether it is stored encrypted. Templates marked for deletion
 * are loaded too, so a deletion job that never ran stays visible (CN-PI-03).
 */
function loadTemplates(scope: FactScope) {
  const f = s.faceTemplates;
  return jsonRows<TemplateRow>(
    scope.db,
    sql`select ${f.id} as "id", ${f.siteId} as "siteId", ${f.subjectId} as "subjectId", ${f.consentId} as "consentId",
          ${f.storage} as "storage", ${f.embeddingEnc} like 'v1.%' as "encrypted",
          ${epochMs(f.createdAt)} as "createdAt", ${epochMs(f.lastUsedAt)} as "lastUsedAt",
          ${epochMs(f.deletionQueuedAt)} as "deletionQueuedAt"
        from ${f} where ${and(eq(f.orgId, scope.orgId), bySite(scope, f.siteId))}`,
  );
}

/**
 * The people, by pseudonym (never names or contacts); for one site, those its consents and
 * templates refer to. By subquery, not an id list: an organisation can hold more people than a
 * query has parameters.
 */
function loadSubjects({ db, orgId, siteId }: FactScope) {
  const p = s.subjects;
  return jsonRows<SubjectRow>(
    db,
    sql`select ${p.id} as "id", ${p.pseudonym} as "pseudonym", ${p.isMinor} as "isMinor",
          ${p.birthYear} as "birthYear"
        from ${p} where ${and(
          eq(p.orgId, orgId),
          siteId
            ? sql`${p.id} in (select subject_id from ${s.consents} where site_id = ${siteId}
                  union select subject_id from ${s.faceTemplates} where site_id = ${siteId})`
            : undefined,
        )}`,
  );
}

async function loadRequests(scope: FactScope) {
  return scope.db
    .select()
    .from(s.dsrRequests)
    .where(inScope(scope, s.dsrRequests.orgId, s.dsrRequests.siteId));
}

async function loadAssessments(scope: FactScope) {
  return scope.db
    .select()
    .from(s.assessments)
    .where(inScope(scope, s.assessments.orgId, s.assessments.siteId));
}

/** The sites' moves between regions, oldest first (CN-SITE-01). */
async function loadRegionChanges(scope: FactScope) {
  return scope.db
    .select({
      siteId: s.siteRegionChanges.siteId,
      at: s.siteRegionChanges.changedAt,
      fromRegion: s.siteRegionChanges.fromRegion,
      toRegion: s.siteRegionChanges.toRegion,
    })
    .from(s.siteRegionChanges)
    .where(inScope(scope, s.siteRegionChanges.orgId, s.siteRegionChanges.siteId))
    .orderBy(s.siteRegionChanges.changedAt);
}

export type PhotoRow = { siteId: string; subjectId: string; consentId: string | null; count: number };

/** Enrolment photos still stored, counted per site, subject and the consent of their enrolment (CN-PI-03). */
function loadPhotos(scope: FactScope) {
  const p = s.enrolmentPhotos;
  const e = s.enrolments;
  return jsonRows<PhotoRow>(
    scope.db,
    sql`select ${e.siteId} as "siteId", ${e.subjectId} as "subjectId", ${e.consentId} as "consentId",
          count(*)::int as "count"
        from ${p} join ${e} on ${e.id} = ${p.enrolmentId}
        where ${inScope(scope, e.orgId, e.siteId)}
        group by 1, 2, 3`,
  );
}

/**
 * What the retention job has left behind (CN-FR-07, IL-15a): per site, what is due more than the
 * overdue window ago and is still stored, and the last run. What is due right now only matters
 * when the job failed or stopped, so it is counted only then.
 */
async function loadRetention(scope: FactScope) {
  const sitesInScope = await loadSites(scope);
  const siteIds = sitesInScope.map((site) => site.id);
  const db = scope.db;
  const [run, overdue] = await Promise.all([
    lastRetentionRun(db),
    siteIds.length ? retentionDue(db, { now: new Date(scope.now.getTime() - RETENTION_OVERDUE_MS), siteIds }) : null,
  ]);
  const lastRun = run ? { status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt } : null;
  const jobHealthy = retentionJobState(lastRun, scope.now) === "ok";
  const due = siteIds.length && !jobHealthy ? await retentionDue(db, { now: scope.now, siteIds }) : null;
  return {
    lastRun,
    overdue: (overdue ?? new Map()) as Map<string, RetentionCounts>,
    due: (due ?? new Map()) as Map<string, RetentionCounts>,
  };
}

/** The organisation's latest filing, if any (filings are organisation-wide). */
async function loadFiling({ db, orgId }: FactScope) {
  const [filing] = await db
    .select()
    .from(s.filings)
    .where(eq(s.filings.orgId, orgId))
    .orderBy(desc(s.filings.createdAt))
    .limit(1);
  return filing;
}

/** The latest audit-chain verification, if any (the chain is the whole database's). */
async function loadAuditCheck({ db }: FactScope) {
  const [check] = await db.select().from(s.auditChainChecks).orderBy(desc(s.auditChainChecks.id)).limit(1);
  return check;
}

/** Awaits an object of promises together: the same keys, with their values. */
async function allOf<T extends Record<string, Promise<unknown>>>(
  promises: T,
): Promise<{ [K in keyof T]: Awaited<T[K]> }> {
  const keys = Object.keys(promises);
  const values = await Promise.all(Object.values(promises));
  return Object.fromEntries(keys.map((key, i) => [key, values[i]])) as { [K in keyof T]: Awaited<T[K]> };
}

/** Every row the facts are made of, in one round of parallel queries whatever the organisation's size. */
export function loadFactRows(scope: FactScope) {
  return allOf({
    organization: loadOrganization(scope),
    sites: loadSites(scope),
    cameras: loadCameras(scope),
    entryPoints: loadEntryPoints(scope),
    signs: loadSigns(scope),
    notices: loadNotices(scope),
    consents: loadConsents(scope),
    templates: loadTemplates(scope),
    subjects: loadSubjects(scope),
    requests: loadRequests(scope),
    assessments: loadAssessments(scope),
    regionChanges: loadRegionChanges(scope),
    photos: loadPhotos(scope),
    retention: loadRetention(scope),
    filing: loadFiling(scope),
    auditCheck: loadAuditCheck(scope),
  });
}

export type FactRows = Awaited<ReturnType<typeof loadFactRows>>;
