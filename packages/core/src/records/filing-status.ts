import { FILING_THRESHOLD } from "@consentry/compliance";
import { and, asc, countDistinct, type Database, eq, isNull, schema } from "@consentry/db";

const { filings, faceTemplates } = schema;

/** Face data of this many people or more must be filed (CN-FR-15): the rules engine's figure. */
export { FILING_THRESHOLD };

/** The live count of distinct people with templates against the filing threshold, with the filings so far. */
export async function filingStatus(deps: { db: Database; orgId: string }) {
  const [[count], history] = await Promise.all([
    deps.db
      .select({ value: countDistinct(faceTemplates.subjectId) })
      .from(faceTemplates)
      .where(and(eq(faceTemplates.orgId, deps.orgId), isNull(faceTemplates.deletionQueuedAt))),
    deps.db.select().from(filings).where(eq(filings.orgId, deps.orgId)).orderBy(asc(filings.createdAt)),
  ]);
  const subjectsWithTemplates = count?.value ?? 0;
  return {
    subjectsWithTemplates,
    threshold: FILING_THRESHOLD,
    share: subjectsWithTemplates / FILING_THRESHOLD,
    filings: history,
  };
}
