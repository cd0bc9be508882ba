import { and, type Database, desc, eq, schema } from "@consentry/db";
import { requireSite } from "../lookups";

const { assessments } = schema;

/** A site's impact assessments, newest first; where the document lies in the store stays inside. */
export async function listAssessments(deps: { db: Database; orgId: string }, input: { siteId: string }) {
  await requireSite(deps.db, deps.orgId, input.siteId);
  const rows = await deps.db
    .select()
    .from(assessments)
    .where(and(eq(assessments.siteId, input.siteId), eq(assessments.orgId, deps.orgId)))
    .orderBy(desc(assessments.completedAt));
  return rows.map(({ documentPath, ...assessment }) => ({ ...assessment, hasDocument: documentPath !== null }));
}
