import { ASSESSMENT_RETENTION_YEARS } from "@consentry/compliance";
import { type AuditActor, and, type Database, eq, schema, writeAudit } from "@consentry/db";
import type { FileStore } from "@consentry/storage";
import { DomainError, notFound } from "../errors";

const { assessments } = schema;

/** PIPIA records are kept at least three years (PIPL 56; CN-FR-08): the rules engine's figure. */
export { ASSESSMENT_RETENTION_YEARS };

/**
 * Deletes an impact assessment; refused while it is younger than three years (CN-FR-08). Its
 * document leaves the store after the commit, unless another assessment holds the same file.
 */
export async function deleteAssessment(
  deps: { db: Database; actor: AuditActor; orgId: string; storage?: Pick<FileStore, "remove"> },
  input: { assessmentId: string },
) {
  const deleted = await deps.db.transaction(async (tx) => {
    const [assessment] = await tx
      .select()
      .from(assessments)
      .where(and(eq(assessments.id, input.assessmentId), eq(assessments.orgId, deps.orgId)));
    if (!assessment) return notFound("Assessment");
    const keepUntil = new Date(assessment.completedAt);
    keepUntil.setFullYear(keepUntil.getFullYear() + ASSESSMENT_RETENTION_YEARS);
    if (keepUntil > new Date()) {
      throw new DomainError(
        "precondition",
        `CN-FR-08: an impact assessment must be kept for ${ASSESSMENT_RETENTION_YEARS} years (until ${keepUntil.toISOString().slice(0, 10)}).`,
      );
    }
    await tx.delete(assessments).where(eq(assessments.id, assessment.id));
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "assessment.delete",
      targetType: "assessment",
      targetId: assessment.id,
      details: { siteId: assessment.siteId, documentSha256: assessment.documentSha256 },
    });
    return assessment;
  });
  if (deleted.documentPath && deps.storage) {
    const [shared] = await deps.db
      .select({ id: assessments.id })
      .from(assessments)
      .where(eq(assessments.documentPath, deleted.documentPath))
      .limit(1);
    if (!shared) await deps.storage.remove(deleted.documentPath);
  }
  return { id: deleted.id };
}
