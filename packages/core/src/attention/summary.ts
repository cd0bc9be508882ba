import { evaluateOrganization, type FilingStatus, type FilingSummary, workingDayDeadline } from "@consentry/compliance";
import { and, count, type Executor, eq, inArray, isNull, lte, ne, schema, sql } from "@consentry/db";
import type { LeaseReader } from "@consentry/queue";
import { loadOrganizationFacts } from "../compliance/facts";

const { cameras, dsrRequests, sites } = schema;

/** "Due soon": by the end of this many Chinese working days from today (Shanghai). */
export const DUE_SOON_WORKING_DAYS = 3;

/** Health statuses that mean a camera does not deliver its stream (as on the site page and the cameras list). */
const OFFLINE_STATUSES = ["offline", "unreachable", "auth_failed"] as const;

export type AttentionKind =
  | "requestsOverdue"
  | "criticalFindings"
  | "filing"
  | "camerasOffline"
  | "retentionFailed"
  | "requestsDueSoon"
  | "highFindings"
  | "camerasDegraded"
  | "camerasWaiting";

/** Worst first within a tone: the order the home page lists items in. */
const ORDER: readonly AttentionKind[] = [
  "requestsOverdue",
  "criticalFindings",
  "filing",
  "camerasOffline",
  "retentionFailed",
  "requestsDueSoon",
  "highFindings",
  "camerasDegraded",
  "camerasWaiting",
];

/** One site's share of an item; `siteId` null is the organisation as a whole (its own findings). */
export type AttentionSite = { siteId: string | null; siteName: string | null; count: number; href: string };

type ItemBase = {
  /** red: a deadline or the law is already missed; amber: soon, or the system works below par. */
  tone: "red" | "amber";
  count: number;
  /** Where the whole item is fixed. */
  href: string;
  /** Largest count first; empty for organisation-wide items. */
  sites: AttentionSite[];
};

export type AttentionItem =
  | (ItemBase & { kind: Exclude<AttentionKind, "filing" | "retentionFailed"> })
  | (ItemBase & {
      kind: "filing";
      /** `count` is the number of people with face templates. */
      filing: { status: Exclude<FilingStatus, "not_required" | "filed">; threshold: number; dueAt: Date | null };
    })
  | (ItemBase & {
      kind: "retentionFailed";
      /** `count` and each site's count: items past their retention period still stored (may be 0). */
      run: { status: "failed" | "interrupted"; startedAt: Date; finishedAt: Date | null };
    });

export type AttentionSummary = {
  checkedAt: Date;
  items: AttentionItem[];
  /** Whether data-subject requests were looked at (operators and up; auditors do not see requests). */
  requestsIncluded: boolean;
  /**
   * False when the organisation has face-recognition cameras but the inference workers' states
   * could not be read (Redis did not answer): cameras waiting for a worker may then be missing.
   */
  inferenceKnown: boolean;
};

/** The filing item (CN-FR-15) from the engine's filing summary: from 80 % of the threshold until filed. */
export function filingItem(filing: FilingSummary): AttentionItem | null {
  if (filing.status !== "approaching" && filing.status !== "due" && filing.status !== "overdue") return null;
  return {
    kind: "filing",
    tone: filing.status === "approaching" ? "amber" : "red",
    count: filing.subjectsWithTemplates,
    href: "/compliance",
    sites: [],
    filing: { status: filing.status, threshold: filing.threshold, dueAt: filing.dueAt },
  };
}

/** Red before amber, then by ORDER; a filing that is only approaching comes last of all. */
export function compareItems(a: AttentionItem, b: AttentionItem) {
  const rank = (item: AttentionItem) =>
    (item.tone === "red" ? 0 : ORDER.length) +
    (item.kind === "filing" && item.filing.status === "approaching" ? ORDER.length : ORDER.indexOf(item.kind));
  return rank(a) - rank(b);
}

const bySiteCount = (a: AttentionSite, b: AttentionSite) =>
  b.count - a.count || (a.siteName ?? "").localeCompare(b.siteName ?? "");

/** Counts per site into an item's site list; sites with 0 are left out. */
function siteList(
  counts: Iterable<{ siteId: string; siteName: string; count: number }>,
  href: (siteId: string) => string,
): AttentionSite[] {
  const merged = new Map<string, AttentionSite>();
  for (const { siteId, siteName, count: value } of counts) {
    if (value <= 0) continue;
    const entry = merged.get(siteId) ?? { siteId, siteName, count: 0, href: href(siteId) };
    entry.count += value;
    merged.set(siteId, entry);
  }
  return [...merged.values()].sort(bySiteCount);
}

const total = (list: AttentionSite[]) => list.reduce((sum, site) => sum + site.count, 0);

/**
 * What needs a member's attention in their organisation today, each with its count per site and
 * a link to the page that fixes it: data-subject requests overdue and due soon (only when
 * `includeRequests`: the Requests page is for operators and up), cameras offline or degraded,
 * face-recognition cameras waiting for an inference worker, critical and high findings, the
 * filing threshold (CN-FR-15) and a failed last retention run. Findings, filing and retention come
 * from the live evaluation the Compliance page shows, so the numbers match where the links lead.
 * One round of parallel queries (the evaluation's own included) and one Redis read beside them.
 */
export async function attentionSummary(deps: {
  db: Executor;
  orgId: string;
  leases: LeaseReader;
  includeRequests: boolean;
  now?: Date;
}): Promise<AttentionSummary> {
  const { db, orgId, leases, includeRequests } = deps;
  const now = deps.now ?? new Date();
  // Chinese working days (weekends, public holidays and make-up days, packages/compliance),
  // the calendar the requests' own 15-working-day deadlines are counted in.
  const dueSoonBy = workingDayDeadline(now, DUE_SOON_WORKING_DAYS);
  const openSite = and(eq(sites.id, cameras.siteId), isNull(sites.archivedAt));

  const [facts, cameraCounts, { rows: frCameras, leased }, requestCounts] = await Promise.all([
    loadOrganizationFacts(db, orgId, { now }),
    db
      .select({ siteId: cameras.siteId, siteName: sites.name, status: cameras.status, count: count() })
      .from(cameras)
      .innerJoin(sites, openSite)
      .where(
        and(
          eq(cameras.orgId, orgId),
          isNull(cameras.disabledAt),
          inArray(cameras.status, [...OFFLINE_STATUSES, "degraded"]),
        ),
      )
      .groupBy(cameras.siteId, sites.name, cameras.status),
    // The workers' rule for cameras that should be analysed now (camerasToAnalyse), for this
    // organisation; only their ids are asked about, so no other tenant's state is read.
    db
      .select({ id: cameras.id, siteId: cameras.siteId, siteName: sites.name })
      .from(cameras)
      .innerJoin(sites, openSite)
      .where(and(eq(cameras.orgId, orgId), eq(cameras.frEnabled, true), isNull(cameras.disabledAt)))
      .then(async (rows) => ({
        rows,
        leased: rows.length > 0 ? await leases.read(rows.map((row) => row.id)).catch(() => null) : null,
      })),
    includeRequests
      ? db
          .select({
            siteId: dsrRequests.siteId,
            siteName: sites.name,
            overdue: sql<number>`count(*) filter (where ${dsrRequests.dueAt} < ${now.toISOString()}::timestamptz)::int`,
            dueSoon: sql<number>`count(*) filter (where ${dsrRequests.dueAt} >= ${now.toISOString()}::timestamptz)::int`,
          })
          .from(dsrRequests)
          // Archived sites too: a request made there still has to be answered.
          .innerJoin(sites, eq(sites.id, dsrRequests.siteId))
          .where(
            and(
              eq(dsrRequests.orgId, orgId),
              ne(dsrRequests.status, "pending_verification"),
              isNull(dsrRequests.closedAt),
              lte(dsrRequests.dueAt, dueSoonBy),
            ),
          )
          .groupBy(dsrRequests.siteId, sites.name)
      : Promise.resolve([]),
  ]);

  const items: AttentionItem[] = [];
  const push = (
    kind: Exclude<AttentionKind, "filing" | "retentionFailed">,
    tone: "red" | "amber",
    href: string,
    list: AttentionSite[],
  ) => {
    if (list.length > 0) items.push({ kind, tone, count: total(list), href, sites: list });
  };

  if (includeRequests) {
    const overdue = siteList(
      requestCounts.map((row) => ({ ...row, count: row.overdue })),
      (id) => `/requests?overdue=1&site=${id}`,
    );
    const dueSoon = siteList(
      requestCounts.map((row) => ({ ...row, count: row.dueSoon })),
      (id) => `/requests?site=${id}`,
    );
    push("requestsOverdue", "red", "/requests?overdue=1", overdue);
    push("requestsDueSoon", "amber", "/requests", dueSoon);
  }

  const sitePage = (id: string) => `/sites/${id}`;
  push(
    "camerasOffline",
    "red",
    "/cameras",
    siteList(
      cameraCounts.filter((row) => row.status !== "degraded"),
      sitePage,
    ),
  );
  push(
    "camerasDegraded",
    "amber",
    "/cameras",
    siteList(
      cameraCounts.filter((row) => row.status === "degraded"),
      sitePage,
    ),
  );
  if (leased) {
    const waiting = frCameras.filter((camera) => leased.states.get(camera.id) === "waiting");
    push(
      "camerasWaiting",
      "amber",
      "/cameras",
      siteList(
        waiting.map((camera) => ({ ...camera, count: 1 })),
        sitePage,
      ),
    );
  }

  const evaluation = evaluateOrganization(facts);
  const siteNames = new Map(facts.sites.map((site) => [site.site.id, site.site.name]));
  // The organisation's own findings (audit chain…) count as one "organisation-wide" entry; the
  // filing rule (CN-FR-15) is left to the filing item, which says more.
  const orgFindings = evaluation.findings.filter((finding) => finding.ruleId !== "CN-FR-15");
  for (const [kind, severity, tone] of [
    ["criticalFindings", "critical", "red"],
    ["highFindings", "high", "amber"],
  ] as const) {
    const list = siteList(
      evaluation.sites.map((site) => ({
        siteId: site.siteId,
        siteName: siteNames.get(site.siteId) ?? "",
        count: site.findings.filter((finding) => finding.severity === severity).length,
      })),
      (id) => `/compliance/${id}`,
    );
    const orgCount = orgFindings.filter((finding) => finding.severity === severity).length;
    if (orgCount > 0) list.unshift({ siteId: null, siteName: null, count: orgCount, href: "/compliance" });
    push(kind, tone, "/compliance", list);
  }

  const filing = filingItem(evaluation.filing);
  if (filing) items.push(filing);

  // The retention job is the installation's; it matters here only where this organisation has
  // sites. Its last finished run failing means what is due stays stored until a run completes.
  const lastRun = facts.sites[0]?.retention?.lastRun ?? null;
  if (lastRun && (lastRun.status === "failed" || lastRun.status === "interrupted")) {
    const list = siteList(
      facts.sites.map((site) => ({
        siteId: site.site.id,
        siteName: site.site.name,
        count: Object.values(site.retention?.due ?? {}).reduce((sum, n) => sum + Math.max(0, n ?? 0), 0),
      })),
      sitePage,
    );
    items.push({
      kind: "retentionFailed",
      tone: "red",
      count: total(list),
      href: "/sites",
      sites: list,
      run: { status: lastRun.status, startedAt: lastRun.startedAt, finishedAt: lastRun.finishedAt },
    });
  }

  items.sort(compareItems);
  return {
    checkedAt: now,
    items,
    requestsIncluded: includeRequests,
    inferenceKnown: frCameras.length === 0 || leased !== null,
  };
}
