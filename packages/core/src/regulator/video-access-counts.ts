import { and, type Executor, eq, gte, isNotNull, schema, sql } from "@consentry/db";
import { VIDEO_ACCESS_REASONS, type VideoAccessReason } from "@consentry/db/values";

const { videoAccess } = schema;
const DAY_MS = 86_400_000;
export const VIDEO_ACCESS_WINDOWS = [30, 90] as const;

/**
 * How often the site's live video was watched, per reason, in the last 30 and 90 days: counts of
 * streams that opened (a ticket never used shows nobody anything). Counts only: no viewer, no
 * camera, no note, no time of day.
 */
export async function siteVideoAccessCounts(db: Executor, siteId: string, now = new Date()) {
  const since = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const rows = await db
    .select({
      reason: videoAccess.reason,
      last30: sql<number>`count(*) filter (where ${videoAccess.startedAt} >= ${since(30).toISOString()}::timestamptz)::int`,
      last90: sql<number>`count(*)::int`,
    })
    .from(videoAccess)
    .where(and(eq(videoAccess.siteId, siteId), isNotNull(videoAccess.startedAt), gte(videoAccess.startedAt, since(90))))
    .groupBy(videoAccess.reason);
  const byReason = new Map<VideoAccessReason, { last30: number; last90: number }>(
    rows.map((row) => [row.reason, { last30: row.last30, last90: row.last90 }]),
  );
  const reasons = VIDEO_ACCESS_REASONS.map((reason) => ({
    reason,
    last30: byReason.get(reason)?.last30 ?? 0,
    last90: byReason.get(reason)?.last90 ?? 0,
  }));
  return {
    reasons,
    total30: reasons.reduce((sum, r) => sum + r.last30, 0),
    total90: reasons.reduce((sum, r) => sum + r.last90, 0),
  };
}
export type SiteVideoAccessCounts = Awaited<ReturnType<typeof siteVideoAccessCounts>>;
