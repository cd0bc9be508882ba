import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "./client";
import { cameras, sites } from "./schema";

/**
 * Ids of every camera an inference worker should analyse now: face recognition on, camera
 * enabled, site not archived. The workers' reconcile and the capacity signals share this rule.
 */
export async function camerasToAnalyse(db: Executor): Promise<string[]> {
  const rows = await db
    .select({ id: cameras.id })
    .from(cameras)
    .innerJoin(sites, eq(sites.id, cameras.siteId))
    .where(and(eq(cameras.frEnabled, true), isNull(cameras.disabledAt), isNull(sites.archivedAt)));
  return rows.map((row) => row.id);
}
