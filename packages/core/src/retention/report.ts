import { type Database, desc, schema } from "@consentry/db";
import { siteRetentionPolicy } from "./policy";
import { nextRetentionRunAt, type RetentionCountKind } from "./run";

const { retentionRuns } = schema;

/**
 * A site's Retention panel: its policy, when the job runs next, and the last runs with what each
 * deleted at this site (counts only). Tenancy: the policy lookup refuses another organisation's site.
 */
export async function siteRetentionReport(
  db: Database,
  { orgId, siteId, runs = 10 }: { orgId: string; siteId: string; runs?: number },
) {
  const policy = await siteRetentionPolicy(db, { orgId, siteId });
  const recent = await db
    .select({
      id: retentionRuns.id,
      startedAt: retentionRuns.startedAt,
      finishedAt: retentionRuns.finishedAt,
      status: retentionRuns.status,
      counts: retentionRuns.counts,
    })
    .from(retentionRuns)
    .orderBy(desc(retentionRuns.startedAt))
    .limit(runs);
  return {
    ...policy,
    nextRunAt: nextRetentionRunAt(),
    runs: recent.map(({ counts, ...run }) => ({
      ...run,
      deleted: (counts[siteId] ?? {}) as Partial<Record<RetentionCountKind, number>>,
    })),
  };
}
