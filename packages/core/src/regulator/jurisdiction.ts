import { regionChangeFinding, retentionJobState } from "@consentry/compliance";
import {
  and,
  countDistinct,
  desc,
  type Executor,
  eq,
  inArray,
  isNull,
  like,
  or,
  type SQL,
  schema,
  sql,
} from "@consentry/db";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { isPersonTarget, type SnapshotFinding } from "../compliance/snapshots";
import { notFound } from "../errors";
import { lastRetentionRun, nextRetentionRunAt, type RetentionCountKind } from "../retention/run";
import { siteVideoAccessCounts } from "./video-access-counts";

const {
  sites,
  organizations,
  cameras,
  complianceSnapshots,
  complianceDailyRegions,
  dsrRequests,
  faceTemplates,
  filings,
  auditChainChecks,
  siteRegionChanges,
  retentionRuns,
} = schema;

/** Sites whose GB/T 2260 region code falls under one of the jurisdiction codes (310000 covers 31xxxx). */
export function inJurisdiction(codes: readonly string[], regionCode: AnyPgColumn = sites.regionCode): SQL {
  const prefixes = codes.map((code) => code.replace(/(00)+$/, "")).filter((prefix) => prefix.length > 0);
  return prefixes.length > 0 ? (or(...prefixes.map((prefix) => like(regionCode, `${prefix}%`))) as SQL) : sql`false`;
}

/**
 * A finding as a regulator may see it: it names sites, cameras and entry points, never a person.
 * Findings about a person, a template or a request keep their rule and text, without the label.
 */
export function redactFinding(finding: SnapshotFinding) {
  const aboutPerson = isPersonTarget(finding.target);
  const label = finding.target.label;
  const scrub = (text: string) => (aboutPerson && label ? text.split(label).join("—") : text);
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    code: finding.code,
    params: aboutPerson ? {} : finding.params,
    target: aboutPerson
      ? { type: finding.target.type, label: null }
      : {
          type: finding.target.type,
          label,
          labelCode: finding.target.labelCode,
          labelParams: finding.target.labelParams,
        },
    message: scrub(finding.message),
    remediation: scrub(finding.remediation),
  };
}
export type RegulatorFinding = ReturnType<typeof redactFinding>;

type Coverage = {
  signage: number | null;
  /** Snapshots from before catalogue v2 lack it. */
  signageAllCameras?: number | null;
  consent: number | null;
  alternatives: number | null;
  requestsOnTime: number | null;
};

/** Every site in the jurisdiction with its latest compliance snapshot and camera counts. */
export async function jurisdictionSites(db: Executor, codes: readonly string[]) {
  // The newest snapshot of each site, one index lookup per site (site_id, at).
  const latest = db
    .select({
      at: complianceSnapshots.at,
      score: complianceSnapshots.score,
      coverage: complianceSnapshots.coverage,
      critical:
        sql<number>`jsonb_array_length(jsonb_path_query_array(${complianceSnapshots.findings}, '$[*] ? (@.severity == "critical")'))`.as(
          "critical",
        ),
      findings: sql<number>`jsonb_array_length(${complianceSnapshots.findings})`.as("findings"),
    })
    .from(complianceSnapshots)
    // A site that moved in shows only what was taken here; its earlier snapshots belong to its old region.
    .where(and(eq(complianceSnapshots.siteId, sites.id), inJurisdiction(codes, complianceSnapshots.regionCode)))
    .orderBy(desc(complianceSnapshots.at))
    .limit(1)
    .as("latest");
  const cameraCounts = db
    .select({
      siteId: cameras.siteId,
      cameras: sql<number>`count(*)::int`.as("cameras"),
      frCameras: sql<number>`(count(*) filter (where ${cameras.frEnabled} and ${cameras.disabledAt} is null))::int`.as(
        "fr_cameras",
      ),
    })
    .from(cameras)
    .groupBy(cameras.siteId)
    .as("camera_counts");
  const rows = await db
    .select({
      siteId: sites.id,
      siteName: sites.name,
      siteCode: sites.code,
      regionCode: sites.regionCode,
      kind: sites.kind,
      orgId: organizations.id,
      orgName: organizations.name,
      cameras: sql<number>`coalesce(${cameraCounts.cameras}, 0)`,
      frCameras: sql<number>`coalesce(${cameraCounts.frCameras}, 0)`,
      score: latest.score,
      critical: sql<number>`coalesce(${latest.critical}, 0)`,
      findings: sql<number>`coalesce(${latest.findings}, 0)`,
      coverage: latest.coverage,
      snapshotAt: latest.at,
    })
    .from(sites)
    .innerJoin(organizations, eq(organizations.id, sites.orgId))
    .leftJoinLateral(latest, sql`true`)
    .leftJoin(cameraCounts, eq(cameraCounts.siteId, sites.id))
    .where(and(isNull(sites.archivedAt), inJurisdiction(codes)))
    // Worst first: lowest score, then most critical findings; sites never evaluated last.
    .orderBy(sql`${latest.score} asc nulls last`, desc(sql`coalesce(${latest.critical}, 0)`), sites.name);
  return rows.map(({ coverage, score, ...row }) => ({
    ...row,
    score: score === null ? null : Math.round(score),
    coverage: (coverage ?? { signage: null, consent: null, alternatives: null, requestsOnTime: null }) as Coverage,
  }));
}
export type JurisdictionSite = Awaited<ReturnType<typeof jurisdictionSites>>[number];

const mean = (values: (number | null)[]) => {
  const present = values.filter((value): value is number => value !== null);
  return present.length ? present.reduce((sum, value) => sum + value, 0) / present.length : null;
};

/** The jurisdiction's headline figures: all aggregates, nothing about a person. */
export async function jurisdictionOverview(db: Executor, codes: readonly string[], now = new Date()) {
  const siteRows = await jurisdictionSites(db, codes);
  const siteIds = siteRows.map((site) => site.siteId);
  const orgIds = [...new Set(siteRows.map((site) => site.orgId))];
  const none = siteIds.length === 0;
  const [[enrolled], [requests], orgTemplates, orgFilings, [chain]] = await Promise.all([
    none
      ? [{ value: 0 }]
      : db
          .select({ value: countDistinct(faceTemplates.subjectId) })
          .from(faceTemplates)
          .where(and(inArray(faceTemplates.siteId, siteIds), isNull(faceTemplates.deletionQueuedAt))),
    none
      ? [{ received: 0, onTime: 0, overdue: 0 }]
      : db
          .select({
            received: sql<number>`count(*) filter (where ${dsrRequests.verifiedAt} is not null)::int`,
            onTime: sql<number>`count(*) filter (where ${dsrRequests.closedAt} is not null and (${dsrRequests.dueAt} is null or ${dsrRequests.closedAt} <= ${dsrRequests.dueAt}))::int`,
            overdue: sql<number>`count(*) filter (where ${dsrRequests.dueAt} < ${now.toISOString()}::timestamptz and (${dsrRequests.closedAt} is null or ${dsrRequests.closedAt} > ${dsrRequests.dueAt}))::int`,
          })
          .from(dsrRequests)
          .where(inArray(dsrRequests.siteId, siteIds)),
    orgIds.length === 0
      ? []
      : db
          .select({ orgId: faceTemplates.orgId, people: countDistinct(faceTemplates.subjectId) })
          .from(faceTemplates)
          .where(and(inArray(faceTemplates.orgId, orgIds), isNull(faceTemplates.deletionQueuedAt)))
          .groupBy(faceTemplates.orgId),
    orgIds.length === 0
      ? []
      : db
          .selectDistinctOn([filings.orgId], { orgId: filings.orgId, filedAt: filings.filedAt })
          .from(filings)
          .where(inArray(filings.orgId, orgIds))
          .orderBy(filings.orgId, desc(filings.createdAt)),
    db.select().from(auditChainChecks).orderBy(desc(auditChainChecks.id)).limit(1),
  ]);
  const peopleByOrg = new Map(orgTemplates.map((row) => [row.orgId, row.people]));
  const filedByOrg = new Map(orgFilings.map((row) => [row.orgId, row.filedAt]));
  const orgSummaries = orgIds.map((orgId) => {
    const ofOrg = siteRows.filter((site) => site.orgId === orgId);
    const people = peopleByOrg.get(orgId) ?? 0;
    return {
      orgId,
      orgName: ofOrg[0]?.orgName ?? "",
      sites: ofOrg.length,
      averageScore: mean(ofOrg.map((site) => site.score)),
      critical: ofOrg.reduce((sum, site) => sum + site.critical, 0),
      peopleWithTemplates: people,
      filed: filedByOrg.get(orgId) != null,
      // One audit chain serves the installation; a broken chain is a critical finding for all (CN-FR-14).
      auditChainOk: chain?.ok ?? null,
    };
  });
  const frSites = siteRows.filter((site) => site.frCameras > 0);
  return {
    sites: siteRows.length,
    sitesWithFaceRecognition: frSites.length,
    cameras: siteRows.reduce((sum, site) => sum + site.cameras, 0),
    frCameras: siteRows.reduce((sum, site) => sum + site.frCameras, 0),
    enrolledPeople: enrolled?.value ?? 0,
    averageScore: mean(siteRows.map((site) => site.score)),
    criticalFindings: siteRows.reduce((sum, site) => sum + site.critical, 0),
    coverage: {
      signage: mean(siteRows.map((site) => site.coverage.signage)),
      consent: mean(siteRows.map((site) => site.coverage.consent)),
      alternatives: mean(siteRows.map((site) => site.coverage.alternatives)),
    },
    requests: requests ?? { received: 0, onTime: 0, overdue: 0 },
    // At or near the 100,000-person filing threshold (CN-FR-15).
    nearFilingThreshold: orgSummaries.filter((org) => org.peopleWithTemplates >= 80_000),
    organizations: orgSummaries,
    auditChain: chain ? { ok: chain.ok, checkedAt: chain.at } : null,
  };
}

/**
 * Daily average score and coverage over the last `days` days: from the per-region sums, or one
 * site's or organization's snapshots. Either way a snapshot counts where its site was when taken.
 */
export async function jurisdictionTrend(
  db: Executor,
  codes: readonly string[],
  days: number,
  only: { siteId?: string; orgId?: string } = {},
) {
  const since = new Date(Date.now() - days * 86_400_000).toISOString();
  if (only.siteId || only.orgId) {
    return db
      .select({
        day: sql<string>`to_char(${complianceSnapshots.at} at time zone 'Asia/Shanghai', 'YYYY-MM-DD')`,
        score: sql<number>`avg(${complianceSnapshots.score})::float`,
        signage: sql<number | null>`avg((${complianceSnapshots.coverage}->>'signage')::float)`,
        consent: sql<number | null>`avg((${complianceSnapshots.coverage}->>'consent')::float)`,
        alternatives: sql<number | null>`avg((${complianceSnapshots.coverage}->>'alternatives')::float)`,
      })
      .from(complianceSnapshots)
      .where(
        and(
          only.siteId ? eq(complianceSnapshots.siteId, only.siteId) : undefined,
          only.orgId ? eq(complianceSnapshots.orgId, only.orgId) : undefined,
          // By the region each snapshot was taken in: a site's days before a move stay with its old region.
          inJurisdiction(codes, complianceSnapshots.regionCode),
          sql`${complianceSnapshots.at} >= ${since}::timestamptz`,
        ),
      )
      .groupBy(sql`1`)
      .orderBy(sql`1`);
  }
  const d = complianceDailyRegions;
  const share = (sum: AnyPgColumn, n: AnyPgColumn) => sql<number | null>`(sum(${sum}) / nullif(sum(${n}), 0))::float`;
  return db
    .select({
      day: sql<string>`to_char(${d.day}, 'YYYY-MM-DD')`,
      score: sql<number>`(sum(${d.scoreSum}) / sum(${d.snapshots}))::float`,
      signage: share(d.signageSum, d.signageCount),
      consent: share(d.consentSum, d.consentCount),
      alternatives: share(d.alternativesSum, d.alternativesCount),
    })
    .from(d)
    .where(
      and(
        inJurisdiction(codes, d.regionCode),
        sql`${d.day} >= (${since}::timestamptz at time zone 'Asia/Shanghai')::date`,
      ),
    )
    .groupBy(d.day)
    .orderBy(d.day);
}

/** A move whose old or new region lies in the jurisdiction (alias of site_region_changes). */
const moveTouches = (codes: readonly string[]) =>
  or(inJurisdiction(codes, siteRegionChanges.fromRegion), inJurisdiction(codes, siteRegionChanges.toRegion)) as SQL;

/**
 * Sites that moved into, out of or within the jurisdiction, newest move first: when, from, to,
 * organisation and site. Both regulators see a move, so a site cannot leave one unnoticed; who
 * moved it (a person) is not shown.
 */
export async function jurisdictionRegionMoves(db: Executor, codes: readonly string[]) {
  const rows = await db
    .select({
      id: siteRegionChanges.id,
      siteId: sites.id,
      siteName: sites.name,
      siteCode: sites.code,
      orgId: organizations.id,
      orgName: organizations.name,
      fromRegion: siteRegionChanges.fromRegion,
      toRegion: siteRegionChanges.toRegion,
      changedAt: siteRegionChanges.changedAt,
      reason: siteRegionChanges.reason,
      fromHere: sql<boolean>`${inJurisdiction(codes, siteRegionChanges.fromRegion)}`,
      toHere: sql<boolean>`${inJurisdiction(codes, siteRegionChanges.toRegion)}`,
    })
    .from(siteRegionChanges)
    .innerJoin(sites, eq(sites.id, siteRegionChanges.siteId))
    .innerJoin(organizations, eq(organizations.id, siteRegionChanges.orgId))
    .where(moveTouches(codes))
    .orderBy(desc(siteRegionChanges.changedAt), desc(siteRegionChanges.id));
  return rows.map(({ fromHere, toHere, ...move }) => ({
    ...move,
    direction: fromHere && toHere ? ("within" as const) : fromHere ? ("out" as const) : ("in" as const),
    // The finding the rules engine reports for the site (CN-SITE-01), so both regulators see it.
    finding: redactFinding(
      regionChangeFinding(
        { type: "site", id: move.siteId, label: move.siteName },
        { at: move.changedAt, fromRegion: move.fromRegion, toRegion: move.toRegion },
      ),
    ),
  }));
}
export type JurisdictionRegionMove = Awaited<ReturnType<typeof jurisdictionRegionMoves>>[number];

/** What a retention report may name for a regulator: kinds of data, each with a count. */
const RETENTION_REPORT_KINDS = [
  "templates",
  "enrolment_photos",
  "photo_files",
  "recognition_events",
  "unknown_face_counts",
  "camera_status_history",
  "portal_requests",
  "portal_contact",
  "unverified_requests",
] as const satisfies readonly RetentionCountKind[];
export type RetentionReportKind = (typeof RETENTION_REPORT_KINDS)[number];
type DeletedCounts = Partial<Record<RetentionReportKind, number>>;

/** A site's part of a run's counts, kept to known kinds and whole numbers: counts only, never an identifier. */
function countsOf(counts: unknown): DeletedCounts {
  const deleted: DeletedCounts = {};
  if (!counts || typeof counts !== "object") return deleted;
  for (const kind of RETENTION_REPORT_KINDS) {
    const value = (counts as Record<string, unknown>)[kind];
    if (typeof value === "number" && Number.isInteger(value) && value > 0) deleted[kind] = value;
  }
  return deleted;
}

const RETENTION_WINDOW_DAYS = 30;

/**
 * Whether the retention job runs for a site and what it deleted there: the last run (time,
 * status, counts at this site), the counts of the last 30 days, and when it runs next.
 */
export async function siteRetentionSummary(db: Executor, siteId: string, now = new Date()) {
  const since = new Date(now.getTime() - RETENTION_WINDOW_DAYS * 86_400_000);
  const [run, recent] = await Promise.all([
    lastRetentionRun(db),
    db
      .select({ counts: sql<unknown>`${retentionRuns.counts} -> ${siteId}::text` })
      .from(retentionRuns)
      .where(sql`${retentionRuns.startedAt} >= ${since.toISOString()}::timestamptz`),
  ]);
  const lastDays: DeletedCounts = {};
  for (const row of recent) {
    for (const [kind, count] of Object.entries(countsOf(row.counts)) as [RetentionReportKind, number][]) {
      lastDays[kind] = (lastDays[kind] ?? 0) + count;
    }
  }
  const lastRun = run ? { status: run.status, startedAt: run.startedAt, finishedAt: run.finishedAt } : null;
  return {
    /** ok: a run completed (or is under way) within the last 2 hours; failed: the last one did not complete. */
    state: retentionJobState(lastRun, now),
    lastRun: lastRun && run ? { ...lastRun, deleted: countsOf(run.counts[siteId]) } : null,
    nextRunAt: nextRetentionRunAt(now),
    windowDays: RETENTION_WINDOW_DAYS,
    deletedInWindow: lastDays,
  };
}
export type SiteRetentionSummary = Awaited<ReturnType<typeof siteRetentionSummary>>;

/**
 * One site of the jurisdiction: latest snapshot taken here (findings redacted) and request
 * timeliness. A site that moved out stays visible with `movedOut`: its history before the move
 * (snapshots and requests) remains this regulator's.
 */
export async function jurisdictionSite(db: Executor, codes: readonly string[], siteId: string) {
  const [site] = await db
    .select({
      siteId: sites.id,
      siteName: sites.name,
      siteCode: sites.code,
      regionCode: sites.regionCode,
      kind: sites.kind,
      orgName: organizations.name,
      inJurisdiction: sql<boolean>`${inJurisdiction(codes)}`,
    })
    .from(sites)
    .innerJoin(organizations, eq(organizations.id, sites.orgId))
    .where(
      and(
        eq(sites.id, siteId),
        or(
          inJurisdiction(codes),
          sql`exists (select 1 from ${siteRegionChanges} where ${siteRegionChanges.siteId} = ${sites.id} and ${inJurisdiction(codes, siteRegionChanges.fromRegion)})`,
        ),
      ),
    );
  // Outside the jurisdiction, and never in it, a site does not exist for this regulator.
  if (!site) return notFound("Site", "Site not found in your jurisdiction.");
  const { inJurisdiction: here, ...siteFields } = site;
  const [lastMoveOut] = here
    ? []
    : await db
        .select({
          changedAt: siteRegionChanges.changedAt,
          fromRegion: siteRegionChanges.fromRegion,
          toRegion: siteRegionChanges.toRegion,
        })
        .from(siteRegionChanges)
        .where(and(eq(siteRegionChanges.siteId, site.siteId), inJurisdiction(codes, siteRegionChanges.fromRegion)))
        .orderBy(desc(siteRegionChanges.changedAt))
        .limit(1);
  const movedOut = lastMoveOut ?? null;
  const [[snapshot], requests, retention, videoAccess] = await Promise.all([
    db
      .select()
      .from(complianceSnapshots)
      .where(and(eq(complianceSnapshots.siteId, site.siteId), inJurisdiction(codes, complianceSnapshots.regionCode)))
      .orderBy(desc(complianceSnapshots.at))
      .limit(1),
    db
      .select({
        type: dsrRequests.type,
        status: dsrRequests.status,
        verifiedAt: dsrRequests.verifiedAt,
        dueAt: dsrRequests.dueAt,
        closedAt: dsrRequests.closedAt,
      })
      .from(dsrRequests)
      .where(
        and(
          eq(dsrRequests.siteId, site.siteId),
          // After a site moved out, requests filed later are the new region's business.
          movedOut ? sql`${dsrRequests.submittedAt} <= ${movedOut.changedAt.toISOString()}::timestamptz` : undefined,
        ),
      ),
    // After a move out, how the site's data is kept is the new region's business.
    movedOut ? null : siteRetentionSummary(db, site.siteId),
    // Likewise who watches its cameras now: counts per reason only.
    movedOut ? null : siteVideoAccessCounts(db, site.siteId),
  ]);
  const now = Date.now();
  return {
    ...siteFields,
    movedOut,
    score: snapshot ? Math.round(snapshot.score) : null,
    evaluatedAt: snapshot?.at ?? null,
    coverage: snapshot?.coverage ?? null,
    findings: ((snapshot?.findings ?? []) as SnapshotFinding[]).map(redactFinding),
    requests: {
      received: requests.filter((r) => r.verifiedAt).length,
      open: requests.filter((r) => r.verifiedAt && !r.closedAt).length,
      onTime: requests.filter((r) => r.closedAt && (!r.dueAt || r.closedAt <= r.dueAt)).length,
      late: requests.filter((r) => r.dueAt && (r.closedAt ? r.closedAt > r.dueAt : r.dueAt.getTime() < now)).length,
    },
    retention,
    videoAccess,
  };
}
export type JurisdictionSiteView = Awaited<ReturnType<typeof jurisdictionSite>>;
