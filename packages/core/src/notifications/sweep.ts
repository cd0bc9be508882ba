import { createHash } from "node:crypto";
import { evaluateOrganization, type Finding, workingDayDeadline } from "@consentry/compliance";
import { and, type Executor, eq, gt, isNotNull, isNull, lte, ne, schema, sql } from "@consentry/db";
import { DUE_SOON_WORKING_DAYS } from "../attention/summary";
import { loadOrganizationFacts } from "../compliance/facts";
import { isPersonTarget } from "../compliance/snapshots";
import { lastRetentionRun } from "../retention/run";
import { type CreatedNotification, createNotifications } from "./notify";

const { dsrRequests, notifications, organizations, sites } = schema;

/** Requests verified this recently get their "received" notice from the sweep if the portal's was lost. */
const RECEIVED_CATCH_UP_MS = 24 * 3_600_000;

/**
 * Requests that need an answer soon or are late (as Home counts them: due within
 * DUE_SOON_WORKING_DAYS Chinese working days, or past due), one notice each per request, and
 * "received" notices the portal could not create. Archived sites too: a request made there still
 * has to be answered.
 */
export async function requestNotifications(db: Executor, now = new Date()): Promise<CreatedNotification[]> {
  const dueSoonBy = workingDayDeadline(now, DUE_SOON_WORKING_DAYS);
  const open = await db
    .select({
      id: dsrRequests.id,
      orgId: dsrRequests.orgId,
      siteId: dsrRequests.siteId,
      type: dsrRequests.type,
      reference: dsrRequests.referenceCode,
      dueAt: dsrRequests.dueAt,
      verifiedAt: dsrRequests.verifiedAt,
      site: sites.name,
    })
    .from(dsrRequests)
    .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
    .where(
      and(
        ne(dsrRequests.status, "pending_verification"),
        isNull(dsrRequests.closedAt),
        isNotNull(dsrRequests.dueAt),
        sql`(${lte(dsrRequests.dueAt, dueSoonBy)} or ${gt(dsrRequests.verifiedAt, new Date(now.getTime() - RECEIVED_CATCH_UP_MS))})`,
      ),
    );
  const created: CreatedNotification[] = [];
  for (const request of open) {
    const base = {
      orgId: request.orgId,
      siteId: request.siteId,
      targetType: "request" as const,
      targetId: request.id,
      params: {
        reference: request.reference,
        type: request.type,
        site: request.site,
        dueAt: request.dueAt?.toISOString() ?? null,
      },
    };
    if (request.verifiedAt && now.getTime() - request.verifiedAt.getTime() < RECEIVED_CATCH_UP_MS) {
      created.push(
        ...(await createNotifications(db, {
          ...base,
          kind: "request_received",
          dedupeKey: `request_received:${request.id}`,
        })),
      );
    }
    if (!request.dueAt || request.dueAt > dueSoonBy) continue;
    const overdue = request.dueAt < now;
    created.push(
      ...(await createNotifications(db, {
        ...base,
        kind: overdue ? "request_overdue" : "request_due_soon",
        dedupeKey: `${overdue ? "request_overdue" : "request_due_soon"}:${request.id}`,
      })),
    );
  }
  return created;
}

/** A person target's id never appears in a key: a hash of it tells occurrences apart all the same. */
const targetKey = (finding: Finding) =>
  isPersonTarget(finding.target)
    ? createHash("sha256").update(finding.target.id).digest("hex").slice(0, 16)
    : finding.target.id;

/** The part of a critical finding's key that stays the same while it is open. */
const findingBase = (orgId: string, finding: Finding) =>
  `finding_critical:${orgId}:${finding.code}:${finding.target.type}:${targetKey(finding)}`;

/**
 * Critical findings (live evaluation, as Home and the Compliance page show them) and the filing
 * threshold at 80 % and 100 % (CN-FR-15), for one organisation. A critical finding is announced
 * once while it stays open: when the sweep no longer sees it, its notices are marked resolved
 * (`params.resolvedAt`), so if it comes back later it is announced again.
 */
export async function complianceNotifications(
  db: Executor,
  orgId: string,
  now = new Date(),
): Promise<CreatedNotification[]> {
  const facts = await loadOrganizationFacts(db, orgId, { now });
  if (facts.sites.length === 0) return [];
  const evaluation = evaluateOrganization(facts);
  const siteNames = new Map(facts.sites.map((site) => [site.site.id, site.site.name]));
  const critical = [
    ...evaluation.findings
      .filter((finding) => finding.severity === "critical" && finding.ruleId !== "CN-FR-15")
      .map((finding) => ({ finding, siteId: null as string | null })),
    ...evaluation.sites.flatMap((site) =>
      site.findings
        .filter((finding) => finding.severity === "critical")
        .map((finding) => ({ finding, siteId: site.siteId as string | null })),
    ),
  ];
  const open = new Map(critical.map((entry) => [findingBase(orgId, entry.finding), entry]));

  // Occurrences announced and not yet resolved, by key (`<base>@<first seen, ms>`).
  const announced = await db.execute<{ dedupe_key: string }>(sql`
    select distinct dedupe_key from notifications
    where org_id = ${orgId} and kind = 'finding_critical' and not (params ? 'resolvedAt')`);
  const stillOpen = new Set<string>();
  for (const { dedupe_key: key } of announced) {
    const at = key.lastIndexOf("@");
    const base = at >= 0 ? key.slice(0, at) : key;
    if (open.has(base)) stillOpen.add(base);
    else
      await db
        .update(notifications)
        .set({ params: sql`${notifications.params} || jsonb_build_object('resolvedAt', ${now.toISOString()}::text)` })
        .where(and(eq(notifications.orgId, orgId), eq(notifications.dedupeKey, key)));
  }

  const created: CreatedNotification[] = [];
  for (const [base, { finding, siteId }] of open) {
    if (stillOpen.has(base)) continue;
    created.push(
      ...(await createNotifications(db, {
        orgId,
        kind: "finding_critical",
        siteId,
        targetType: "finding",
        targetId: null,
        params: {
          ruleId: finding.ruleId,
          code: finding.code,
          targetType: finding.target.type,
          target: finding.target.label,
          site: siteId ? (siteNames.get(siteId) ?? null) : null,
          message: finding.message,
        },
        dedupeKey: `${base}@${now.getTime()}`,
      })),
    );
  }

  const { filing } = evaluation;
  const percent =
    filing.status === "approaching" ? 80 : filing.status === "due" || filing.status === "overdue" ? 100 : null;
  if (percent) {
    created.push(
      ...(await createNotifications(db, {
        orgId,
        kind: "filing_threshold",
        siteId: null,
        targetType: "filing",
        targetId: null,
        params: {
          percent,
          count: filing.subjectsWithTemplates,
          threshold: filing.threshold,
          status: filing.status,
          dueAt: filing.dueAt?.toISOString() ?? null,
        },
        dedupeKey: `filing_threshold:${orgId}:${percent}`,
      })),
    );
  }
  return created;
}

/**
 * The last finished retention run failed or was interrupted: every organisation with sites is
 * told once per run (the job is the installation's; what stays stored past its retention is theirs).
 */
export async function retentionNotifications(db: Executor): Promise<CreatedNotification[]> {
  const run = await lastRetentionRun(db);
  if (!run || (run.status !== "failed" && run.status !== "interrupted")) return [];
  const orgs = await db
    .selectDistinct({ id: organizations.id })
    .from(organizations)
    .innerJoin(sites, eq(sites.orgId, organizations.id));
  const created: CreatedNotification[] = [];
  for (const { id } of orgs) {
    created.push(
      ...(await createNotifications(db, {
        orgId: id,
        kind: "retention_failed",
        siteId: null,
        targetType: "retention_run",
        targetId: run.id,
        params: { status: run.status, startedAt: run.startedAt.toISOString() },
        dedupeKey: `retention_failed:${id}:${run.id}`,
      })),
    );
  }
  return created;
}

/** Every check the hourly sweep makes, over every organisation. One organisation failing does not stop the rest. */
export async function sweepNotifications(db: Executor, now = new Date()) {
  const created: CreatedNotification[] = [...(await requestNotifications(db, now))];
  let failedOrganizations = 0;
  for (const { id } of await db.select({ id: organizations.id }).from(organizations)) {
    try {
      created.push(...(await complianceNotifications(db, id, now)));
    } catch {
      failedOrganizations++;
    }
  }
  created.push(...(await retentionNotifications(db)));
  return { created, failedOrganizations };
}
