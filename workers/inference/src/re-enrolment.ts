import { lockForEnrolment } from "@consentry/core/enrolment";
import { createNotifications } from "@consentry/core/notifications";
import { sealEmbedding } from "@consentry/crypto";
import { and, asc, type Database, eq, gt, isNull, ne, schema, sql, writeAudit } from "@consentry/db";
import { dispatchByName, JOBS, processorFor, QUEUE_NAMES } from "@consentry/queue";
import type { FileStore } from "@consentry/storage";
import type { FaceAnalyzer } from "@consentry/vision";
import type { Queue } from "bullmq";
import { enrolmentProcessor, modelVersionOf, SYSTEM, templateFromPhoto } from "./enrolment";

const { enrolmentPhotos, faceTemplates, sites } = schema;
/** Templates read per round; each is re-embedded in its own transaction. */
const BATCH = 50;

/** Templates of another model than `modelId` that still count: not queued for deletion, not already marked. */
const olderModel = (modelId: string) =>
  and(
    ne(faceTemplates.modelId, modelId),
    isNull(faceTemplates.deletionQueuedAt),
    isNull(faceTemplates.recaptureNeededAt),
  );

/**
 * Queues one re-enrolment per site holding templates of another model than the worker's. Called
 * when an inference worker starts: after a model change the gallery skips older templates (they
 * cannot be compared), so their people go unrecognised until this has run.
 */
export async function queueReEnrolments(db: Database, queue: Queue, modelId: string): Promise<number> {
  const stale = await db
    .selectDistinct({ siteId: faceTemplates.siteId })
    .from(faceTemplates)
    .where(olderModel(modelId));
  await JOBS.reEnrolment.addBulk(
    queue,
    stale.map(({ siteId }) => ({ data: { siteId, modelId } })),
  );
  return stale.length;
}

export type ReEnrolmentResult = {
  status: "done" | "skipped";
  reEnrolled: number;
  recaptureNeeded: number;
  /** Left alone: the person is being erased or their consent was withdrawn (those jobs delete them). */
  leftAlone: number;
};

/**
 * The `re-enrol` job: each of the site's templates of an older model is made again from its
 * enrolment photo, where the site's retention kept it, under the same locks as an enrolment
 * (`lockForEnrolment`); the new template replaces the old in one transaction, so the person never
 * has both or neither. Without a photo the template is marked `recapture_needed_at` and the site's
 * members are told how many people need a new photo. Idempotent: a retry finds only what is left.
 */
export function reEnrolmentProcessor(deps: {
  db: Database;
  storage: FileStore;
  analyzer: FaceAnalyzer;
  galleryChanged: (siteId: string) => Promise<void>;
}) {
  const { db, storage, analyzer } = deps;
  return processorFor(JOBS.reEnrolment, async ({ siteId, modelId }, job): Promise<ReEnrolmentResult> => {
    const result: ReEnrolmentResult = { status: "done", reEnrolled: 0, recaptureNeeded: 0, leftAlone: 0 };
    // A worker of another model (a rolling upgrade) leaves it to one of this model, which queues it on start.
    if (modelId !== analyzer.modelId) return { ...result, status: "skipped" };
    const [site] = await db.select({ orgId: sites.orgId, name: sites.name }).from(sites).where(eq(sites.id, siteId));
    if (!site) return { ...result, status: "skipped" };

    let after = "00000000-0000-0000-0000-000000000000";
    for (;;) {
      const batch = await db
        .select({
          id: faceTemplates.id,
          subjectId: faceTemplates.subjectId,
          consentId: faceTemplates.consentId,
          storage: faceTemplates.storage,
          photoId: enrolmentPhotos.id,
          photoKey: enrolmentPhotos.storageKey,
        })
        .from(faceTemplates)
        .leftJoin(enrolmentPhotos, eq(enrolmentPhotos.templateId, faceTemplates.id))
        .where(and(eq(faceTemplates.siteId, siteId), olderModel(modelId), gt(faceTemplates.id, after)))
        .orderBy(asc(faceTemplates.id))
        .limit(BATCH);
      if (batch.length === 0) break;
      after = batch.at(-1)?.id ?? after;
      for (const template of batch) {
        const outcome = template.photoKey ? await templateFromPhoto({ storage, analyzer }, template.photoKey) : null;
        const done = await db.transaction(async (tx) => {
          if (!template.consentId) return "leftAlone" as const;
          const blocked = await lockForEnrolment(tx, { subjectId: template.subjectId, consentId: template.consentId });
          if (blocked) return "leftAlone" as const;
          const [still] = await tx
            .select({ id: faceTemplates.id })
            .from(faceTemplates)
            .where(and(eq(faceTemplates.id, template.id), olderModel(modelId)))
            .for("update");
          if (!still) return null;
          if (!outcome || "rejection" in outcome) {
            await tx
              .update(faceTemplates)
              .set({ recaptureNeededAt: new Date() })
              .where(eq(faceTemplates.id, template.id));
            return "recaptureNeeded" as const;
          }
          const [replacement] = await tx
            .insert(faceTemplates)
            .values({
              orgId: site.orgId,
              subjectId: template.subjectId,
              siteId,
              consentId: template.consentId,
              modelId: outcome.modelId,
              modelVersion: modelVersionOf(outcome.modelId),
              embeddingEnc: sealEmbedding(outcome.embedding),
              storage: template.storage,
            })
            .returning({ id: faceTemplates.id });
          if (template.photoId) {
            await tx
              .update(enrolmentPhotos)
              .set({ templateId: replacement?.id })
              .where(eq(enrolmentPhotos.id, template.photoId));
          }
          await tx.delete(faceTemplates).where(eq(faceTemplates.id, template.id));
          return "reEnrolled" as const;
        });
        if (done) result[done]++;
      }
      await job.updateProgress({ ...result });
    }

    if (result.reEnrolled + result.recaptureNeeded > 0) {
      await db.transaction(async (tx) => {
        await writeAudit(tx, {
          actor: SYSTEM,
          orgId: site.orgId,
          action: "template.reenrol",
          targetType: "site",
          targetId: siteId,
          details: { modelId, reEnrolled: result.reEnrolled, recaptureNeeded: result.recaptureNeeded },
        });
      });
    }
    if (result.reEnrolled > 0) await deps.galleryChanged(siteId);
    if (result.recaptureNeeded > 0) {
      const [waiting] = await db
        .select({ people: sql<number>`count(distinct ${faceTemplates.subjectId})::int` })
        .from(faceTemplates)
        .where(
          and(
            eq(faceTemplates.siteId, siteId),
            isNull(faceTemplates.deletionQueuedAt),
            sql`${faceTemplates.recaptureNeededAt} is not null`,
          ),
        );
      // Once per site and model: the count is of that moment, the People page shows who.
      await createNotifications(db, {
        orgId: site.orgId,
        kind: "recapture_needed",
        siteId,
        targetType: "recapture",
        targetId: siteId,
        params: { site: site.name, count: waiting?.people ?? result.recaptureNeeded },
        dedupeKey: `recapture_needed:${siteId}:${modelId}`,
      });
    }
    return result;
  });
}

/** The enrolment queue's processor: new enrolments and re-enrolments after a model change. */
export function enrolmentQueueProcessor(deps: Parameters<typeof enrolmentProcessor>[0]) {
  return dispatchByName(QUEUE_NAMES.enrolment, [enrolmentProcessor(deps), reEnrolmentProcessor(deps)]);
}
