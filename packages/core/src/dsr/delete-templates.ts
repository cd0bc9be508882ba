import { and, type Database, eq, inArray, isNotNull, schema, writeAudit } from "@consentry/db";
import type { TemplateDeletionJob } from "@consentry/queue";
import { OPS_ACTOR, union } from "./shared";

const { faceTemplates, subjects } = schema;

/**
 * The `template-deletion` job after a consent withdrawal: deletes those of the job's templates
 * that are still queued for deletion (a template that lost its mark, or is gone, is left alone),
 * and audits how many. A retry after success deletes nothing and writes no entry. Returns the
 * sites whose galleries held them (their caches already skip queued templates).
 */
export async function deleteWithdrawnTemplates({ db, job }: { db: Database; job: TemplateDeletionJob }) {
  if (job.templateIds.length === 0) return { deleted: 0, siteIds: [] as string[] };
  return db.transaction(async (tx) => {
    const deleted = await tx
      .delete(faceTemplates)
      .where(
        and(
          inArray(faceTemplates.id, job.templateIds),
          eq(faceTemplates.subjectId, job.subjectId),
          isNotNull(faceTemplates.deletionQueuedAt),
        ),
      )
      .returning({ orgId: faceTemplates.orgId, siteId: faceTemplates.siteId });
    const first = deleted[0];
    if (!first) return { deleted: 0, siteIds: [] as string[] };
    const [subject] = await tx
      .select({ pseudonym: subjects.pseudonym })
      .from(subjects)
      .where(eq(subjects.id, job.subjectId));
    await writeAudit(tx, {
      actor: OPS_ACTOR,
      orgId: first.orgId,
      action: "template.delete",
      targetType: "subject",
      targetId: job.subjectId,
      details: {
        pseudonym: subject?.pseudonym ?? null,
        count: deleted.length,
        reason: job.reason,
        jobId: job.jobId,
      },
    });
    return { deleted: deleted.length, siteIds: union(deleted.map((row) => row.siteId)) };
  });
}
