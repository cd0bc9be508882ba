import { type AuditActor, type Database, schema, writeAudit } from "@consentry/db";
import type { z } from "zod";
import { requireSite } from "../lookups";
import type { assessmentFields } from "../validators";

const { assessments } = schema;

export type AssessmentInput = z.infer<typeof assessmentFields>;

/** Records a completed impact assessment (PIPIA) of one of the organisation's sites (CN-FR-08). */
export function recordAssessment(deps: { db: Database; actor: AuditActor; orgId: string }, input: AssessmentInput) {
  return deps.db.transaction(async (tx) => {
    await requireSite(tx, deps.orgId, input.siteId);
    const [assessment] = await tx
      .insert(assessments)
      .values({ ...input, orgId: deps.orgId })
      .returning({ id: assessments.id });
    if (!assessment) throw new Error("insert returned no row");
    await writeAudit(tx, {
      actor: deps.actor,
      orgId: deps.orgId,
      action: "assessment.create",
      targetType: "assessment",
      targetId: assessment.id,
      details: input,
    });
    return assessment;
  });
}
