// The queries behind `loadOrganizationFacts`: one loader per entity, all started at once.
import { RETENTION_OVERDUE_MS, type RetentionCounts, retentionJobState } from "@consentry/compliance";
import { and, desc, eq, inArray, isNull, type SQL, schema, sql } from "@consentry/db";
import { lastRetentionRun, retentionDue } from "../retention/run";
import { type FactScope, inScope, jsonRows } from "./fact-sql";
import { loadPeople } from "./people";

export type { FactScope } from "./fact-sql";
export type { ConsentRow, SubjectRow, TemplateRow } from "./people";

const s = schema;

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

/** What the rules read of a camera: never its URL or probe details. */
async function loadCameras(scope: FactScope) {
  const c = s.cameras;
  return scope.db
    .select({
      id: c.id,
      siteId: c.siteId,
      name: c.name,
      locationType: c.locationType,
      frEnabled: c.frEnabled,
      disabledAt: c.disabledAt,
      entryPointId: c.entryPointId,
    })
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
async function loadRetention(scope: FactScope, sitesInScope: Promise<{ id: string }[]>) {
  const db = scope.db;
  const [sites, run] = await Promise.all([sitesInScope, lastRetentionRun(db)]);
  const siteIds = sites.map((site) => site.id);
  const lastRun = run ? { status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt } : null;
  const jobHealthy = retentionJobState(lastRun, scope.now) === "ok";
  const counted = (now: Date) => (siteIds.length ? retentionDue(db, { now, siteIds }) : null);
  // Both counts at once when both are needed.
  const [overdue, due] = await Promise.all([
    counted(new Date(scope.now.getTime() - RETENTION_OVERDUE_MS)),
    jobHealthy ? null : counted(scope.now),
  ]);
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

/**
 * Every row the facts are made of, in one round of parallel queries whatever the organisation's
 * size (the people's after the notices: see people.ts). `everyone` loads every person's rows
 * instead of the unsettled ones and counts of the rest.
 */
export function loadFactRows(scope: FactScope, options: { everyone?: boolean } = {}) {
  const sites = loadSites(scope);
  const notices = loadNotices(scope);
  return allOf({
    organization: loadOrganization(scope),
    sites,
    cameras: loadCameras(scope),
    entryPoints: loadEntryPoints(scope),
    signs: loadSigns(scope),
    notices,
    people: loadPeople(scope, notices, options),
    requests: loadRequests(scope),
    assessments: loadAssessments(scope),
    regionChanges: loadRegionChanges(scope),
    photos: loadPhotos(scope),
    retention: loadRetention(scope, sites),
    filing: loadFiling(scope),
    auditCheck: loadAuditCheck(scope),
  });
}

export type FactRows = Awaited<ReturnType<typeof loadFactRows>>;
